# Two commands: `make run` serves the portal with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install fonts browser-deps proxy-deps bench bench-pages bench-submissions bench-sweeps check clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# A CJK font for the official forms as PDF (Noto CJK), DejaVu for ☑, poppler for PDF checks.
fonts:
	@missing=""; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || missing="$$missing fonts-noto-cjk"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Browser tests drive Debian's Chromium; Playwright never downloads a browser.
browser-deps:
	@[ -x /usr/bin/chromium ] || { echo "Installing Debian package: chromium"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# The behind-nginx test puts Debian's nginx in front of gunicorn, as in production.
proxy-deps:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Installing Debian package: nginx-light"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nginx-light; }

run: install fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "兴安盟职业技能培训质量监督平台: http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: $${DEMO_PASSWORD:-Xingan@Demo2026}):"
	@echo "  league        盟人力资源和就业服务中心"
	@echo "  county        乌兰浩特市人社局"
	@echo "  county2       突泉县人社局"
	@echo "  institution   乌兰浩特市的培训机构"
	@echo "  institution2  突泉县的培训机构"
	@echo "  admin         系统管理员 (Django admin)"
	@echo "  inspector     受委托第三方 (现场检查)"
	@echo "  auditor       纪检监察/审计 (全盟，只读，审计日志)"
	@echo "Second factor of league, county, county2, admin, inspector, auditor: after the password, the 6-digit code of an"
	@echo "  authenticator app holding the demo key $$($(PY) manage.py demo_code --key 2>/dev/null),"
	@echo "  or the current code from: $(PY) manage.py demo_code   (a code passes once per login and 30 s)"
	@echo ""
	@# Ctrl-C or TERM stops web, worker and beat within ~8 s (bin/run-local explains how).
	@VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) exec bin/run-local

test: install fonts browser-deps proxy-deps
	$(PY) -m pytest

bench: install fonts
	$(PY) bench/import_roster.py
	$(PY) bench/pdf.py
	$(PY) bench/sampling.py
	$(PY) bench/figures.py
	$(PY) bench/signals.py

# The trainee form under load through gunicorn on 127.0.0.1:8119 (BENCH_PORT), PostgreSQL and Redis from
# DATABASE_URL, CACHE_URL and CELERY_BROKER_URL; BENCH_ARGS="--duration 60" for one-minute steps.
bench-submissions: install
	$(PY) bench/submissions.py $(BENCH_ARGS)

# The follow-up and fraud-signal sweeps, each by two workers at once, on a copy of the region-scale database when
# SCALE_TEMPLATE names one (a seed_scale database), else on seeded classes (BENCH_ARGS="--classes 100000").
bench-sweeps: install
	$(PY) bench/sweeps.py $(BENCH_ARGS)

# Every page, role by role, against the region-scale database in DATABASE_URL (README: "Region scale").
bench-pages: install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) bench/pages.py

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles
