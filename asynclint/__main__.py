import sys

from asynclint.cli import main

sys.exit(main())
