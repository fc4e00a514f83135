# Two commands on a fresh machine: `make run` and `make test`. Everything lives in .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
KT := $(VENV)/bin/kamtrain
OUT ?= out

.PHONY: run test lint typecheck bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml Makefile | $(PY)
	$(PY) -m pip install -q -e '.[handbook,practice]'
	touch $@

$(VENV)/.test-installed: pyproject.toml Makefile | $(PY)
	$(PY) -m pip install -q -e '.[handbook,practice,pdf,test]'
	touch $@ $(VENV)/.run-installed

# The main job on the built-in content, with every file it writes under $(OUT)/ (no user data touched).
run: $(VENV)/.run-installed
	@mkdir -p $(OUT)
	@rm -f $(OUT)/roleplay/demo-too-expensive.*
	$(KT) validate
	KAMTRAIN_DATA_DIR=$(OUT)/data $(KT) roleplay run too-expensive --lang vi \
		--transcript $(OUT)/roleplay/demo-too-expensive.jsonl < examples/roleplay-too-expensive.vi.txt
	$(KT) roleplay grade --scenario too-expensive examples/cohort-too-expensive.jsonl --format md \
		> $(OUT)/cohort-too-expensive.md
	@for level in ae am kam sam; do \
		$(KT) kit --level $$level --minutes 60 --candidate "Nguyễn Thị Lan" -o $(OUT)/kits || exit 1; \
	done
	$(KT) mentor-plan --level am --weeks 12 -o $(OUT)/kits
	$(KT) scorecard merge examples/panel/ha.yaml examples/panel/minh.yaml --format html -o $(OUT)/panel
	$(KT) kit --level kam --round 2 --exclude examples/panel/ha.yaml --exclude examples/panel/minh.yaml \
		-o $(OUT)/panel
	$(KT) handbook build -o $(OUT)/handbook
	@echo
	@echo "Written under $(OUT)/:"
	@echo "  $(OUT)/kits/                            an interviewer kit (HTML, print on A4) and a scorecard per level, a mentor plan"
	@echo "  $(OUT)/panel/                           a panel's two filled round-1 cards merged, and the round-2 kit that follows them up"
	@echo "  $(OUT)/handbook/                        the bilingual handbook: python3 -m http.server -d $(OUT)/handbook"
	@echo "  $(OUT)/roleplay/demo-too-expensive.md   the demo role-play transcript (JSONL beside it)"
	@echo "  $(OUT)/cohort-too-expensive.md          a sample cohort graded by the coach"
	@echo
	@echo "Play a role-play yourself:  .venv/bin/kamtrain roleplay run too-expensive"
	@echo "All scenarios:              .venv/bin/kamtrain roleplay list"

test: $(VENV)/.test-installed
	$(VENV)/bin/ruff check kamtrain tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: $(VENV)/.test-installed
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
