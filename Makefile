# govassist: two commands for a new machine.
#   make demo   set up .venv, index the built-in knowledge and the sample organisation, answer questions
#   make test   set up .venv and run the checks (ruff, mypy, pytest)
# Both install into .venv only when pyproject.toml or constraints.txt changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= .demo-home
GOVASSIST := $(BIN)/govassist --home $(DEMO_HOME)

# Nothing phones home, nothing is downloaded at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TRANSFORMERS_VERBOSITY := error
export TOKENIZERS_PARALLELISM := false
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False

.PHONY: install demo test lint typecheck docs-check bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	@# constraints.txt pins torch==2.13.0: the CPU build. An unpinned torch would pull CUDA packages.
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: install
	@$(GOVASSIST) knowledge load-sample
	@$(GOVASSIST) knowledge status
	@for q in \
	  "Do we have to tell customers they are talking to a chatbot?" \
	  "Which AI practices are prohibited?" \
	  "Can I paste claims data into ChatGPT?" \
	  "What is the maximum fine for using a prohibited AI practice?" \
	  "What is the best pizza topping?"; do \
	  echo; echo "\$$ govassist ask \"$$q\""; $(GOVASSIST) ask "$$q" || exit 1; done
	@echo
	@echo "Try next (state lives in $(DEMO_HOME); drop --home to use your own data directory):"
	@echo "  $(GOVASSIST) ask \"What must deployers of high-risk AI systems do?\""
	@echo "  $(GOVASSIST) ask --json \"Is emotion recognition at work allowed?\""
	@echo "  $(GOVASSIST) ingest path/to/your/policies --kind policy"
	@echo "  $(GOVASSIST) knowledge status"
	@echo "  $(BIN)/govassist --help"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy core knowledge assistant tools

docs-check: install
	$(BIN)/python -m assistant.cli.reference --check

test: install lint typecheck docs-check
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

bench: install
	$(BIN)/python -m evals.bench.run

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^torch==' | \
	  (echo "# Every transitive dependency, pinned and tested together. Regenerate: make lock"; \
	   echo "torch==2.13.0"; cat) > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .ruff_cache .mypy_cache
