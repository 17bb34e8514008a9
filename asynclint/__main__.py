import sys

from asynclint.replay import main

sys.exit(main())
