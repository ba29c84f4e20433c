# Writes chatapp(1) from the binary's own --help texts with help2man, so that the man
# page says what the program says. Run at build time:
#   cmake -DCHATAPP=path/to/chatapp -DHELP2MAN=help2man -DWORK_DIR=dir -DOUTPUT=chatapp.1.gz
#         -P packaging/manpage.cmake
foreach(variable CHATAPP HELP2MAN WORK_DIR OUTPUT)
    if(NOT DEFINED ${variable})
        message(FATAL_ERROR "manpage.cmake needs -D${variable}=...")
    endif()
endforeach()

# In English whatever the build machine's locale, and with no display needed.
set(run_env ${CMAKE_COMMAND} -E env LC_ALL=C.UTF-8 LANG=C.UTF-8 LANGUAGE=
    QT_QPA_PLATFORM=offscreen)

# A few tries: in a build folder shared with other builds, the binary may be being
# relinked just now ("Text file busy").
foreach(attempt RANGE 1 5)
    execute_process(COMMAND ${run_env} ${CHATAPP} --serve --help
        OUTPUT_VARIABLE serve_help ERROR_VARIABLE serve_errors RESULT_VARIABLE status)
    if(status EQUAL 0)
        break()
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 2)
endforeach()
if(NOT status EQUAL 0)
    message(FATAL_ERROR "chatapp --serve --help failed (${status}): ${serve_errors}")
endif()
# Qt's parser names the binary by the path it was run with.
string(REGEX REPLACE "Usage: [^ ]*chatapp" "Usage: chatapp" serve_help "${serve_help}")
# roff: backslashes doubled, and no line may start with a dot or a quote.
string(REPLACE "\\" "\\\\" serve_help "${serve_help}")
string(REPLACE "-" "\\-" serve_help "${serve_help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" serve_help "${serve_help}")

file(WRITE ${WORK_DIR}/chatapp.h2m "[HOSTING A CHAT]
.B chatapp \\-\\-serve
runs the server instead of opening a window. It needs no display.
.PP
.nf
${serve_help}.fi
.PP
Once listening it prints
.B chatapp: listening on http://HOST:PORT
on standard output, and then one line per request on standard error.
.B GET /healthz
answers 200 while the store does.

[ENVIRONMENT]
.TP
.B CHATAPP_HOST, CHATAPP_PORT, CHATAPP_DATA_DIR, CHATAPP_QUIET
Defaults for the server's options; the command line wins.

[FILES]
.TP
.I /var/lib/chatapp/chatapp.db
The messages of the
.B chatapp-server
service (SQLite).
.TP
.I /usr/lib/systemd/system/chatapp-server.service
The server as a system service, installed disabled:
.B systemctl enable \\-\\-now chatapp-server
starts it as the unprivileged user
.BR chatapp .
.TP
.I /etc/default/chatapp-server
Optional: CHATAPP_HOST=... and CHATAPP_PORT=... for the service.

[SEE ALSO]
The HTTP API is described in docs/api.md of ChatApp's source.
")

execute_process(COMMAND ${run_env} ${HELP2MAN} --no-info --no-discard-stderr
        --name "a small group chat that speaks plain HTTP"
        --section 1 --include ${WORK_DIR}/chatapp.h2m
        --output ${WORK_DIR}/chatapp.1 ${CHATAPP}
    RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "help2man failed (${status}): ${errors}")
endif()
execute_process(COMMAND gzip -9 -n -f ${WORK_DIR}/chatapp.1 RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "gzip failed (${status})")
endif()
if(NOT "${WORK_DIR}/chatapp.1.gz" STREQUAL "${OUTPUT}")
    file(RENAME ${WORK_DIR}/chatapp.1.gz ${OUTPUT})
endif()
