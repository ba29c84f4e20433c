# Packaging: the man page, the systemd unit, and CPack's .deb. Included at the end of the
# top-level CMakeLists.txt; `make package` runs it (see packaging/README.md).
include(GNUInstallDirs)

# chatapp(1), generated from --help at build time when help2man is there (make package
# installs it; a plain `make build` without it only skips the man page).
find_program(HELP2MAN_EXECUTABLE help2man)
if(HELP2MAN_EXECUTABLE)
    set(chatapp_manpage ${CMAKE_CURRENT_BINARY_DIR}/packaging/chatapp.1.gz)
    add_custom_command(OUTPUT ${chatapp_manpage}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/packaging
        COMMAND ${CMAKE_COMMAND} -DCHATAPP=$<TARGET_FILE:chatapp>
                -DHELP2MAN=${HELP2MAN_EXECUTABLE}
                -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/packaging
                -DOUTPUT=${chatapp_manpage}
                -P ${CMAKE_CURRENT_SOURCE_DIR}/packaging/manpage.cmake
        DEPENDS chatapp ${CMAKE_CURRENT_SOURCE_DIR}/packaging/manpage.cmake
        COMMENT "Writing the man page chatapp(1) with help2man"
        VERBATIM)
    add_custom_target(chatapp_manpage ALL DEPENDS ${chatapp_manpage})
    install(FILES ${chatapp_manpage} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man)
else()
    message(STATUS "help2man not found: no man page (make package installs it)")
endif()

# The server as a system service, for the .deb: disabled, run as the user `chatapp` that
# the postinst creates, data in /var/lib/chatapp. Its ExecStart names /usr/bin/chatapp,
# where the .deb puts the binary.
install(FILES packaging/deb/chatapp-server.service
        DESTINATION lib/systemd/system COMPONENT service)

# Several nodes on one PostgreSQL (README, "More than one machine"): the template unit
# beside the single server's, inert until an instance is enabled; the configurations it
# and the proxies need, as examples to copy into /etc.
install(FILES packaging/cluster/chatapp-node@.service
        DESTINATION lib/systemd/system COMPONENT cluster)
install(FILES packaging/cluster/cluster.conf packaging/cluster/nginx.conf packaging/cluster/haproxy.cfg
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/cluster COMPONENT cluster)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chatapp)
set(CPACK_PACKAGE_VENDOR ChatApp)
set(CPACK_PACKAGE_CONTACT "ChatApp developers <chatapp@example.org>")
# One .deb per Debian release, each built on (or in a root of) that release against its
# Qt, and named for it: chatapp_0.1.0+deb12_amd64.deb, chatapp_0.1.0+deb13_amd64.deb.
file(STRINGS /etc/debian_version debian_version LIMIT_COUNT 1)
string(REGEX MATCH "^[0-9]+" debian_major "${debian_version}")
if(debian_major)
    set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION}+deb${debian_major})
else()
    message(STATUS "Not a numbered Debian release (/etc/debian_version: '${debian_version}'): "
                   "the .deb's version has no +debNN")
    set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "ChatApp is one Qt 6 program that either hosts a chat
(chatapp --serve, headless, messages kept in SQLite) or opens a chat window
on a server. Sending is a POST and reading a GET, answered with honest HTTP
status codes, so the protocol is there to see.

The server can run as the systemd service chatapp-server, installed
disabled, as its own user with its data in /var/lib/chatapp. Several
servers can share one PostgreSQL database behind nginx or HAProxy, each
as an instance of chatapp-node@.service; examples of their configuration
are in /usr/share/doc/chatapp/examples/cluster.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_CURRENT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # chatapp_VERSION+debNN_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The Qt 6 libraries the binary links are computed by dpkg-shlibdeps; what Qt loads as
# plugins at run time is not linked, so it is named here: the SQLite driver and the SVG
# plugins that draw the window's icon. adduser is for the postinst.
# Qt HttpServer keeps no binary compatibility from one minor release to the next (6.8
# lacks symbols a 6.4 build calls, and fails at the first request), while its shlibs
# promise any later version: so the .deb also refuses a Qt HttpServer of another minor
# release than the one it was built against.
math(EXPR httpserver_next_minor "${Qt6HttpServer_VERSION_MINOR} + 1")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite, libqt6svg6, \
libqt6httpserver6 (>= ${Qt6HttpServer_VERSION}), \
libqt6httpserver6 (<< ${Qt6HttpServer_VERSION_MAJOR}.${httpserver_next_minor}~)")
# Qt's PostgreSQL driver, for --store postgresql://: loaded at run time like the SQLite
# one, but only a server on PostgreSQL needs it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, libqt6sql6-psql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
