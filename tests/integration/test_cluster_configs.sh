#!/usr/bin/env bash
# packaging/cluster/: the nginx and HAProxy configurations for several chatapp nodes
# parse with the real programs (Debian's nginx and haproxy, which
# scripts/install-deps.sh installs), and keep what ChatApp needs of a proxy: streams
# and long polls unbuffered, read timeouts above a long poll's 60 s, X-Forwarded-For
# set, and a POST never sent to a second node. Exits 77 (skipped) if neither program
# is installed.
set -euo pipefail

cluster=$(cd "$(dirname "$0")/../../packaging/cluster" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/chatapp-cluster-XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
checked=0

fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

pass() {
    echo "ok   $*"
}

# directives FILE: the file without comments and blank lines.
directives() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"
}

# seconds VALUE: "90s", "90" or "2m" as seconds.
seconds() {
    case $1 in
        *ms) echo 0 ;;
        *m) echo $((${1%m} * 60)) ;;
        *s) echo "${1%s}" ;;
        *) echo "$1" ;;
    esac
}

# nginx_parses CONFIG: nginx -t on a main configuration that includes CONFIG in its
# http context, as /etc/nginx/nginx.conf includes conf.d/*.conf; every path it writes
# is in $work.
nginx_parses() {
    local prefix=$work/nginx-$RANDOM
    mkdir -p "$prefix"
    cat >"$prefix/main.conf" <<MAIN
pid $prefix/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    client_body_temp_path $prefix/body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    include $1;
}
MAIN
    nginx -t -q -p "$prefix" -e stderr -c "$prefix/main.conf"
}

check_nginx() {
    local config=$cluster/nginx.conf
    if nginx_parses "$config" 2>"$work/nginx.err"; then
        pass "nginx -t accepts nginx.conf"
    else
        fail "nginx -t refuses nginx.conf: $(cat "$work/nginx.err")"
    fi
    # The check itself can fail: a directive nginx does not know is refused.
    { cat "$config"; echo 'proxy_no_such_directive on;'; } >"$work/broken.conf"
    if nginx_parses "$work/broken.conf" 2>/dev/null; then
        fail "nginx -t accepted an unknown directive: the parse check checks nothing"
    else
        pass "nginx -t refuses a copy with an unknown directive"
    fi

    local text
    text=$(directives "$config")
    if grep -q 'non_idempotent' <<<"$text"; then
        fail "nginx.conf lets nginx send a POST that reached one node to another (non_idempotent)"
    elif grep -Eq '^[[:space:]]*proxy_next_upstream[[:space:]]+(error|timeout)([[:space:]]+(error|timeout))*;' <<<"$text"; then
        pass "nginx.conf retries on another node only what cannot be done twice"
    else
        fail "nginx.conf does not say proxy_next_upstream error timeout"
    fi
    # The location of the streams must be the unbuffered one.
    if awk '/location ~ .*events/ { inside = 1 } inside && /proxy_buffering off;/ { found = 1 }
            inside && /}/ { inside = 0 } END { exit !found }' <(directives "$config"); then
        pass "nginx.conf passes streams and long polls on unbuffered"
    else
        fail "nginx.conf has no proxy_buffering off in the location of /api/v1/rooms/*/events"
    fi
    local timeout
    timeout=$(sed -n 's/^[[:space:]]*proxy_read_timeout[[:space:]]*\([0-9a-z]*\);.*/\1/p' <<<"$text" | head -1)
    if [[ -n $timeout ]] && (($(seconds "$timeout") > 60)); then
        pass "nginx.conf waits $timeout for a node, longer than a long poll"
    else
        fail "nginx.conf's proxy_read_timeout ('$timeout') is not above a long poll's 60 s"
    fi
    for needed in 'proxy_http_version 1.1;' 'proxy_set_header Connection "";' \
                  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'; do
        if grep -qF "$needed" <<<"$text"; then
            pass "nginx.conf says $needed"
        else
            fail "nginx.conf lacks $needed"
        fi
    done
}

check_haproxy() {
    local config=$cluster/haproxy.cfg
    if haproxy -c -f "$config" >"$work/haproxy.err" 2>&1; then
        pass "haproxy -c accepts haproxy.cfg"
    else
        fail "haproxy -c refuses haproxy.cfg: $(cat "$work/haproxy.err")"
    fi
    # The check itself can fail: an option HAProxy does not know is refused.
    { cat "$config"; echo '    option no-such-option'; } >"$work/broken.cfg"
    if haproxy -c -f "$work/broken.cfg" >/dev/null 2>&1; then
        fail "haproxy -c accepted an unknown option: the parse check checks nothing"
    else
        pass "haproxy -c refuses a copy with an unknown option"
    fi

    local text
    text=$(directives "$config")
    local retry_on
    retry_on=$(sed -n 's/^[[:space:]]*retry-on[[:space:]]*//p' <<<"$text")
    if [[ -z $retry_on || $retry_on =~ ^(conn-failure|none)[[:space:]]*$ ]]; then
        pass "haproxy.cfg retries only what no node received (retry-on ${retry_on:-default})"
    else
        fail "haproxy.cfg retries on '$retry_on': a POST a node may have stored would be sent again"
    fi
    if grep -Eq '^[[:space:]]*option forwardfor' <<<"$text"; then
        pass "haproxy.cfg sets X-Forwarded-For"
    else
        fail "haproxy.cfg does not set X-Forwarded-For (option forwardfor)"
    fi
    local timeout
    timeout=$(sed -n 's/^[[:space:]]*timeout server[[:space:]]*\([0-9a-z]*\).*/\1/p' <<<"$text" | head -1)
    if [[ -n $timeout ]] && (($(seconds "$timeout") > 60)); then
        pass "haproxy.cfg waits $timeout for a node, longer than a long poll"
    else
        fail "haproxy.cfg's timeout server ('$timeout') is not above a long poll's 60 s"
    fi
}

if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
    PATH=$PATH:/usr/sbin check_nginx
    checked=$((checked + 1))
else
    echo "SKIP nginx.conf: nginx is not installed (scripts/install-deps.sh installs it)"
fi
if command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]]; then
    PATH=$PATH:/usr/sbin check_haproxy
    checked=$((checked + 1))
else
    echo "SKIP haproxy.cfg: haproxy is not installed (scripts/install-deps.sh installs it)"
fi

if ((failures)); then
    echo "$failures failure(s)"
    exit 1
fi
((checked)) || exit 77
echo "all passed"
