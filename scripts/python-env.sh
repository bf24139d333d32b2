# Sourced by scripts/python-test.sh and scripts/python-dist.sh (never run on its own), after
# scripts/cargo-env.sh and with `step` defined: the system prerequisites (Debian: python3 with
# venv for the PATH's python3 and the system one, CA certificates for rustls, binutils) and the
# dev venv bindings-python/.venv with the requirement files given as arguments, re-installed
# only when one of them changes. Sets `venv` (relative) and `py` (absolute).
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
venv=bindings-python/.venv

need_apt=()
for p in python3 /usr/bin/python3; do
    command -v "$p" >/dev/null || continue
    "$p" -c 'import ensurepip, venv' 2>/dev/null || need_apt=(python3-venv python3-pip)
done
[ -s /etc/ssl/certs/ca-certificates.crt ] || need_apt+=(ca-certificates)
command -v readelf >/dev/null && command -v strings >/dev/null || need_apt+=(binutils)
if [ ${#need_apt[@]} -gt 0 ]; then
    step "apt-get install ${need_apt[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" </dev/null
fi

step "venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
_stamp="$venv/.requirements.sha256"
_want=$(cat "$@" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$_stamp" 2>/dev/null)" != "$_want" ]; then
    "$venv/bin/python" -m pip install -q --upgrade pip
    _reqs=()
    for _r in "$@"; do _reqs+=(-r "$_r"); done
    "$venv/bin/python" -m pip install -q "${_reqs[@]}"
    echo "$_want" >"$_stamp"
fi
py="$PWD/$venv/bin/python"
unset need_apt _stamp _want _reqs _r
