# The two commands of the README.
.PHONY: demo test serve

demo:  ## the product on SQLite with the story's demo data, at http://127.0.0.1:8000/
	scripts/bootstrap.sh
	.venv/bin/andon migrate --verbosity 0
	.venv/bin/andon demo
	.venv/bin/andon serve --no-migrate

test:  ## every test, on SQLite and on PostgreSQL
	scripts/test.sh
