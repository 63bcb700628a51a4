# shellcheck shell=bash
# The one way tools/ scripts prepare a pinned Python virtual environment. Source it, then call venv_main "$@".
#
# The sourcing script sets, before calling venv_main:
#   VENV_NAME     a short name for messages (e.g. "chart-venv")
#   VENV          the venv directory (relative to the repository root, the working directory)
#   REQUIREMENTS  an array of exact pins installed with pip
#   VENV_IMPORTS  Python modules that must import once ready (e.g. "helm_python, yamllint")
#   VENV_WANTED   (optional) the stamp text; default: REQUIREMENTS one per line
# and may define the hooks
#   venv_extra_ready   returns 0 when whatever else the script prepares is in place (default: true)
#   venv_after_install installs or downloads more after the pinned requirements (default: nothing)
#   venv_ready_message prints what is ready, for the last log line (default: nothing)
#
# venv_main handles the arguments every such script takes:
#   --check         create nothing: exit 1 with a message when the venv is missing or not at the pinned versions
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
# It is idempotent (a stamp file records what was installed) and one creator at a time holds a lock.

venv_log() { printf '%s: %s\n' "$VENV_NAME" "$*" >&2; }

venv_ready() {
  [ -x "$VENV/bin/python" ] && [ -f "$VENV/.larder-requirements" ] && [ "$(cat "$VENV/.larder-requirements")" = "$VENV_WANTED" ] \
    && "$VENV/bin/python" -c "import $VENV_IMPORTS" >/dev/null 2>&1 && venv_extra_ready
}

venv_main() {
  local print_python=0 check_only=0 arg
  for arg in "$@"; do
    case "$arg" in
      --print-python) print_python=1 ;;
      --check) check_only=1 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "$VENV_NAME: unknown argument $arg" >&2; exit 2 ;;
    esac
  done
  : "${VENV_WANTED:=$(printf '%s\n' "${REQUIREMENTS[@]}")}"
  declare -F venv_extra_ready >/dev/null || venv_extra_ready() { true; }
  declare -F venv_after_install >/dev/null || venv_after_install() { true; }
  declare -F venv_ready_message >/dev/null || venv_ready_message() { true; }
  local py="$VENV/bin/python"
  if ! venv_ready; then
    if [ "$check_only" = 1 ]; then
      venv_log "$VENV is not prepared at the pinned versions (${REQUIREMENTS[*]}); run tools/test.sh (or $0) first"
      exit 1
    fi
    mkdir -p "$(dirname "$VENV")"
    exec 9>"$VENV.lock"
    flock 9
    if ! venv_ready; then
      if [ ! -x "$py" ]; then
        venv_log "creating $VENV"
        python3 -m venv "$VENV" >&2 || { venv_log "ERROR: python3 -m venv failed (tools/install-deps.sh installs python3-venv)"; exit 1; }
      fi
      venv_log "installing ${REQUIREMENTS[*]} from PyPI (first run only)"
      if ! "$py" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" >&2; then
        venv_log "ERROR: pip could not install ${REQUIREMENTS[*]}; is PyPI reachable from this machine?"
        exit 1
      fi
      venv_after_install
      "$py" -c "import $VENV_IMPORTS" >&2 || { venv_log "ERROR: the installed packages do not import"; exit 1; }
      printf '%s\n' "$VENV_WANTED" >"$VENV/.larder-requirements"
      venv_log "ready $(venv_ready_message)"
    fi
  fi
  if [ "$print_python" = 1 ]; then echo "$(pwd)/$py"; fi
  exit 0
}
