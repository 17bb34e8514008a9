from asynclint.replay import run

run()
