# Thin aliases for the commands in tasks.py (which needs only python3): `make test` etc.
.PHONY: demo test lint bench readme

demo test lint bench readme:
	python3 tasks.py $@
