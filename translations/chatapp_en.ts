<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>ApiClient</name>
        <message>
            <source>certificate not trusted</source>
            <translation>certificate not trusted</translation>
        </message>
        <message>
            <source>The server's certificate is not trusted: %1. If the server uses a certificate of its own (self-signed), start the window with --ca-file and that certificate.</source>
            <translation>The server's certificate is not trusted: %1. If the server uses a certificate of its own (self-signed), start the window with --ca-file and that certificate.</translation>
        </message>
    </context>
    <context>
        <name>ChatClient</name>
        <message>
            <source>%1 (you)</source>
            <translation>%1 (you)</translation>
        </message>
        <message>
            <source>Signing in to %1…</source>
            <translation>Signing in to %1…</translation>
        </message>
        <message>
            <source>Not signed in: %1 needs a password (Chat ▸ Sign In…)</source>
            <translation>Not signed in: %1 needs a password (Chat ▸ Sign In…)</translation>
        </message>
        <message>
            <source>Not signed in: %1</source>
            <translation>Not signed in: %1</translation>
        </message>
        <message>
            <source>Not connected to %1: %2</source>
            <translation>Not connected to %1: %2</translation>
        </message>
        <message>
            <source>Connecting to %1…</source>
            <translation>Connecting to %1…</translation>
        </message>
        <message>
            <source>long poll</source>
            <translation>long poll</translation>
        </message>
        <message>
            <source>polling every %1 ms</source>
            <translation>polling every %1 ms</translation>
        </message>
        <message>
            <source>%1 at %2 · %3</source>
            <translation>%1 at %2 · %3</translation>
        </message>
        <message>
            <source>Nothing answers at %1: check the address and port (Chat ▸ Connect to Another Server…). Retrying in %2 s.</source>
            <translation>Nothing answers at %1: check the address and port (Chat ▸ Connect to Another Server…). Retrying in %2 s.</translation>
        </message>
        <message>
            <source>Offline: %1 does not answer; retrying in %2 s</source>
            <translation>Offline: %1 does not answer; retrying in %2 s</translation>
        </message>
    </context>
    <context>
        <name>ClientCommand</name>
        <message>
            <source>Try 'chatapp --help'.</source>
            <translation>Try 'chatapp --help'.</translation>
        </message>
    </context>
    <context>
        <name>ComposeModeBar</name>
        <message>
            <source>Cancel (Esc)</source>
            <translation>Cancel (Esc)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Editing message — Esc to cancel</source>
            <translation>Editing message — Esc to cancel</translation>
        </message>
        <message>
            <source>Replying to %1: %2</source>
            <translation>Replying to %1: %2</translation>
        </message>
    </context>
    <context>
        <name>Composer</name>
        <message>
            <source>Write a message… (Enter sends, Shift+Enter for a new line)</source>
            <translation>Write a message… (Enter sends, Shift+Enter for a new line)</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Message</translation>
        </message>
    </context>
    <context>
        <name>ConnectDialog</name>
        <message>
            <source>Connect to a chat</source>
            <translation>Connect to a chat</translation>
        </message>
        <message>
            <source>&amp;Server:</source>
            <translation>&amp;Server:</translation>
        </message>
        <message>
            <source>Server</source>
            <translation>Server</translation>
        </message>
        <message>
            <source>chat.example.org or 203.0.113.7</source>
            <translation>chat.example.org or 203.0.113.7</translation>
        </message>
        <message>
            <source>&amp;Port:</source>
            <translation>&amp;Port:</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>Port</translation>
        </message>
        <message>
            <source>Your &amp;name:</source>
            <translation>Your &amp;name:</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>Your name</translation>
        </message>
        <message>
            <source>Shown next to your messages</source>
            <translation>Shown next to your messages</translation>
        </message>
        <message>
            <source>&amp;Room:</source>
            <translation>&amp;Room:</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>Room</translation>
        </message>
        <message>
            <source>&amp;Connect</source>
            <translation>&amp;Connect</translation>
        </message>
        <message>
            <source>Enter the server's host name or IP address.</source>
            <translation>Enter the server's host name or IP address.</translation>
        </message>
        <message>
            <source>Enter your name, as others will see it.</source>
            <translation>Enter your name, as others will see it.</translation>
        </message>
        <message>
            <source>Your name cannot hold line breaks or control characters.</source>
            <translation>Your name cannot hold line breaks or control characters.</translation>
        </message>
        <message>
            <source>Room names use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</source>
            <extracomment>The room field holds an invalid name.</extracomment>
            <translation>Room names use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</translation>
        </message>
        <message>
            <source>Host name, IP address, or http:// or https:// address of the chat server</source>
            <translation>Host name, IP address, or http:// or https:// address of the chat server</translation>
        </message>
        <message>
            <source>'%1' is not a server address: use a host name, an IP address, http://HOST:PORT or https://HOST:PORT.</source>
            <translation>'%1' is not a server address: use a host name, an IP address, http://HOST:PORT or https://HOST:PORT.</translation>
        </message>
    </context>
    <context>
        <name>DesktopNotifier</name>
        <message>
            <source>Open</source>
            <extracomment>The button of a desktop notification that opens the message's room.</extracomment>
            <translation>Open</translation>
        </message>
    </context>
    <context>
        <name>ErrorTexts</name>
        <message>
            <source>The message is longer than %1 characters.</source>
            <translation>The message is longer than %1 characters.</translation>
        </message>
        <message>
            <source>The name is longer than %1 characters.</source>
            <translation>The name is longer than %1 characters.</translation>
        </message>
        <message>
            <source>The message is larger than the server accepts.</source>
            <translation>The message is larger than the server accepts.</translation>
        </message>
        <message>
            <source>The message or the name is empty.</source>
            <translation>The message or the name is empty.</translation>
        </message>
        <message>
            <source>The message or the name holds characters the server does not accept.</source>
            <translation>The message or the name holds characters the server does not accept.</translation>
        </message>
        <message>
            <source>That is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”.</source>
            <translation>That is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”.</translation>
        </message>
        <message>
            <source>The room does not exist on the server.</source>
            <translation>The room does not exist on the server.</translation>
        </message>
        <message>
            <source>Too many messages at once from this address; the server asks to wait a moment.</source>
            <translation>Too many messages at once from this address; the server asks to wait a moment.</translation>
        </message>
        <message>
            <source>The server cannot store messages right now; nothing was lost, and it will be tried again.</source>
            <translation>The server cannot store messages right now; nothing was lost, and it will be tried again.</translation>
        </message>
        <message>
            <source>The server cannot read its messages right now.</source>
            <translation>The server cannot read its messages right now.</translation>
        </message>
        <message>
            <source>The server's copy of this room is damaged; its operator must restart it.</source>
            <translation>The server's copy of this room is damaged; its operator must restart it.</translation>
        </message>
        <message>
            <source>The server is full right now; try again shortly.</source>
            <translation>The server is full right now; try again shortly.</translation>
        </message>
        <message>
            <source>The request took too long to reach the server.</source>
            <translation>The request took too long to reach the server.</translation>
        </message>
        <message>
            <source>The server asks for its password.</source>
            <translation>The server asks for its password.</translation>
        </message>
        <message>
            <source>The server does not answer to this address; its operator can allow it with --allowed-host.</source>
            <translation>The server does not answer to this address; its operator can allow it with --allowed-host.</translation>
        </message>
        <message>
            <source>The server refused a request made from another site.</source>
            <translation>The server refused a request made from another site.</translation>
        </message>
        <message>
            <source>A retry of an earlier message did not match it; the message was not sent twice.</source>
            <translation>A retry of an earlier message did not match it; the message was not sent twice.</translation>
        </message>
        <message>
            <source>The server's copy of this room was reset; the room is loaded again.</source>
            <translation>The server's copy of this room was reset; the room is loaded again.</translation>
        </message>
        <message>
            <source>The password is not right.</source>
            <translation>The password is not right.</translation>
        </message>
        <message>
            <source>@room calls everyone in the room, so it can be sent only now and then: wait a little, or send the message without it.</source>
            <translation>@room calls everyone in the room, so it can be sent only now and then: wait a little, or send the message without it.</translation>
        </message>
        <message>
            <source>Only the person who sent a message can change it, from the window it was sent from.</source>
            <translation>Only the person who sent a message can change it, from the window it was sent from.</translation>
        </message>
        <message>
            <source>The message was deleted.</source>
            <translation>The message was deleted.</translation>
        </message>
        <message>
            <source>That is not a message that can be changed.</source>
            <translation>That is not a message that can be changed.</translation>
        </message>
        <message>
            <source>The message you are replying to is not in this room.</source>
            <translation>The message you are replying to is not in this room.</translation>
        </message>
        <message>
            <source>That message is not in the room.</source>
            <translation>That message is not in the room.</translation>
        </message>
    </context>
    <context>
        <name>Exchange</name>
        <message>
            <source>no connection</source>
            <translation>no connection</translation>
        </message>
        <message>
            <source>no connection (%1)</source>
            <translation>no connection (%1)</translation>
        </message>
        <message>
            <source>%1 %2 → %3 · %4 ms</source>
            <extracomment>Status bar line for one HTTP exchange: method, path, status, duration.</extracomment>
            <translation>%1 %2 → %3 · %4 ms</translation>
        </message>
    </context>
    <context>
        <name>ExchangeLog</name>
        <message>
            <source>%1 ms</source>
            <extracomment>Duration of an HTTP exchange in the Protocol panel, in milliseconds.</extracomment>
            <translation>%1 ms</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>Method</translation>
        </message>
        <message>
            <source>Path</source>
            <translation>Path</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Duration</translation>
        </message>
    </context>
    <context>
        <name>ExchangeText</name>
        <message>
            <source>(no answer: %1)</source>
            <extracomment>In the Protocol panel, where the answer would be; %1 is the network error.</extracomment>
            <translation>(no answer: %1)</translation>
        </message>
        <message numerus="yes">
            <source>[… %n more byte(s) not kept]</source>
            <extracomment>After a long body in the Protocol panel: only its start was kept.</extracomment>
            <translation>
                <numerusform>[… %n more byte not kept]</numerusform>
                <numerusform>[… %n more bytes not kept]</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>HomePage</name>
        <message>
            <source>ChatApp on %1</source>
            <translation>ChatApp on %1</translation>
        </message>
        <message>
            <source>A group chat over plain HTTP. This server runs version %1.</source>
            <translation>A group chat over plain HTTP. This server runs version %1.</translation>
        </message>
        <message>
            <source>Join the chat</source>
            <translation>Join the chat</translation>
        </message>
        <message>
            <source>Start ChatApp with this server's address and port:</source>
            <translation>Start ChatApp with this server's address and port:</translation>
        </message>
        <message>
            <source>This server has a password: ask whoever runs it. The window asks for it when it connects.</source>
            <translation>This server has a password: ask whoever runs it. The window asks for it when it connects.</translation>
        </message>
        <message>
            <source>Get ChatApp</source>
            <translation>Get ChatApp</translation>
        </message>
        <message>
            <source>For Linux on x86-64, one file of %1 that runs without installing:</source>
            <translation>For Linux on x86-64, one file of %1 that runs without installing:</translation>
        </message>
        <message>
            <source>Download %1</source>
            <translation>Download %1</translation>
        </message>
        <message>
            <source>Or in a terminal:</source>
            <translation>Or in a terminal:</translation>
        </message>
        <message>
            <source>This server offers no download: it is not running from an AppImage. ChatApp's README says how to install it.</source>
            <translation>This server offers no download: it is not running from an AppImage. ChatApp's README says how to install it.</translation>
        </message>
        <message>
            <source>API reference</source>
            <translation>API reference</translation>
        </message>
        <message>
            <source>Write your own client</source>
            <translation>Write your own client</translation>
        </message>
        <message>
            <source>Everything the window does is an HTTP request you can make yourself, for example with curl:</source>
            <translation>Everything the window does is an HTTP request you can make yourself, for example with curl:</translation>
        </message>
        <message>
            <source>The %1 describes every request and answer.</source>
            <translation>The %1 describes every request and answer.</translation>
        </message>
    </context>
    <context>
        <name>LaunchOptions</name>
        <message>
            <source>Your name, shown next to your messages (1 to 32 characters).</source>
            <translation>Your name, shown next to your messages (1 to 32 characters).</translation>
        </message>
        <message>
            <source>Room to open first (default general).</source>
            <translation>Room to open first (default general).</translation>
        </message>
        <message>
            <source>Milliseconds between checks for new messages, 100 to 600000.</source>
            <translation>Milliseconds between checks for new messages, 100 to 600000.</translation>
        </message>
        <message>
            <source>Language of the window: es or en (default: the system's).</source>
            <translation>Language of the window: es or en (default: the system's).</translation>
        </message>
        <message>
            <source>Show this help and exit.</source>
            <translation>Show this help and exit.</translation>
        </message>
        <message>
            <source>Show the version and exit.</source>
            <translation>Show the version and exit.</translation>
        </message>
        <message>
            <source>%1 needs a value.</source>
            <translation>%1 needs a value.</translation>
        </message>
        <message>
            <source>Unknown option '%1'.</source>
            <translation>Unknown option '%1'.</translation>
        </message>
        <message>
            <source>Server to connect to, as with --connect.</source>
            <translation>Server to connect to, as with --connect.</translation>
        </message>
        <message>
            <source>Its port, if not given with HOST.</source>
            <translation>Its port, if not given with HOST.</translation>
        </message>
        <message>
            <source>Usage: %1 [options] [HOST[:PORT] [PORT]]</source>
            <translation>Usage: %1 [options] [HOST[:PORT] [PORT]]</translation>
        </message>
        <message>
            <source>Opens a ChatApp window on a chat server; without a server, asks for one.</source>
            <translation>Opens a ChatApp window on a chat server; without a server, asks for one.</translation>
        </message>
        <message>
            <source>Options:</source>
            <translation>Options:</translation>
        </message>
        <message>
            <source>Arguments:</source>
            <translation>Arguments:</translation>
        </message>
        <message>
            <source>Qt's own options, such as -platform, -display, -style and -reverse, are passed on to Qt.</source>
            <translation>Qt's own options, such as -platform, -display, -style and -reverse, are passed on to Qt.</translation>
        </message>
        <message>
            <source>To host a chat instead, see %1 --serve --help.</source>
            <translation>To host a chat instead, see %1 --serve --help.</translation>
        </message>
        <message>
            <source>Too many arguments: expected at most HOST and PORT.</source>
            <translation>Too many arguments: expected at most HOST and PORT.</translation>
        </message>
        <message>
            <source>'%1' is not a port number (1 to 65535).</source>
            <translation>'%1' is not a port number (1 to 65535).</translation>
        </message>
        <message>
            <source>'%1' already names a port; give the port only once.</source>
            <translation>'%1' already names a port; give the port only once.</translation>
        </message>
        <message>
            <source>'%1' is not a language ChatApp speaks; use --lang es or --lang en.</source>
            <translation>'%1' is not a language ChatApp speaks; use --lang es or --lang en.</translation>
        </message>
        <message>
            <source>Give the server either with --connect or as an argument, not both.</source>
            <translation>Give the server either with --connect or as an argument, not both.</translation>
        </message>
        <message>
            <source>--name takes 1 to %1 characters, without line breaks or control characters.</source>
            <translation>--name takes 1 to %1 characters, without line breaks or control characters.</translation>
        </message>
        <message>
            <source>'%1' is not a room name: use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</source>
            <translation>'%1' is not a room name: use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</translation>
        </message>
        <message>
            <source>--poll-interval takes milliseconds from %1 to %2, not '%3'.</source>
            <translation>--poll-interval takes milliseconds from %1 to %2, not '%3'.</translation>
        </message>
        <message>
            <source>Sign in with the first line of FILE when the server asks for a password, instead of asking; if it is wrong, the window asks.</source>
            <translation>Sign in with the first line of FILE when the server asks for a password, instead of asking; if it is wrong, the window asks.</translation>
        </message>
        <message>
            <source>Cannot read the password file '%1': %2.</source>
            <translation>Cannot read the password file '%1': %2.</translation>
        </message>
        <message>
            <source>The password file '%1' is empty.</source>
            <translation>The password file '%1' is empty.</translation>
        </message>
        <message>
            <source>The password in '%1' is longer than %2 characters.</source>
            <translation>The password in '%1' is longer than %2 characters.</translation>
        </message>
        <message>
            <source>Server to connect to: HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT (default port 3550).</source>
            <translation>Server to connect to: HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT (default port 3550).</translation>
        </message>
        <message>
            <source>Also trust the PEM certificates in FILE for https:// servers, such as a server's self-signed certificate.</source>
            <translation>Also trust the PEM certificates in FILE for https:// servers, such as a server's self-signed certificate.</translation>
        </message>
        <message>
            <source>'%1' is not a server address; give HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT.</source>
            <translation>'%1' is not a server address; give HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT.</translation>
        </message>
        <message>
            <source>Cannot read the certificate file '%1': %2.</source>
            <translation>Cannot read the certificate file '%1': %2.</translation>
        </message>
        <message>
            <source>'%1' holds no PEM certificate.</source>
            <translation>'%1' holds no PEM certificate.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Online (%1)</source>
            <translation>Online (%1)</translation>
        </message>
        <message>
            <source>&amp;Rooms</source>
            <translation>&amp;Rooms</translation>
        </message>
        <message>
            <source>Rooms</source>
            <translation>Rooms</translation>
        </message>
        <message>
            <source>Join or create a room</source>
            <translation>Join or create a room</translation>
        </message>
        <message>
            <source>Room to join or create</source>
            <translation>Room to join or create</translation>
        </message>
        <message>
            <source>&amp;Join</source>
            <translation>&amp;Join</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>Online</translation>
        </message>
        <message>
            <source>People online in this room</source>
            <translation>People online in this room</translation>
        </message>
        <message>
            <source>Messages</source>
            <translation>Messages</translation>
        </message>
        <message>
            <source>&amp;Send</source>
            <translation>&amp;Send</translation>
        </message>
        <message>
            <source>Send message</source>
            <translation>Send message</translation>
        </message>
        <message>
            <source>Last HTTP exchange</source>
            <translation>Last HTTP exchange</translation>
        </message>
        <message>
            <source>&amp;Chat</source>
            <translation>&amp;Chat</translation>
        </message>
        <message>
            <source>&amp;Join or Create Room…</source>
            <translation>&amp;Join or Create Room…</translation>
        </message>
        <message>
            <source>Ctrl+K</source>
            <translation>Ctrl+K</translation>
        </message>
        <message>
            <source>&amp;Write a Message</source>
            <translation>&amp;Write a Message</translation>
        </message>
        <message>
            <source>Ctrl+L</source>
            <translation>Ctrl+L</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>&amp;Quit</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>&amp;View</translation>
        </message>
        <message>
            <source>&amp;Protocol Panel</source>
            <translation>&amp;Protocol Panel</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>&amp;Help</translation>
        </message>
        <message>
            <source>&amp;About ChatApp</source>
            <translation>&amp;About ChatApp</translation>
        </message>
        <message>
            <source>About ChatApp</source>
            <translation>About ChatApp</translation>
        </message>
        <message>
            <source>&lt;p&gt;&lt;b&gt;ChatApp %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A small group chat that speaks plain HTTP. Every send is a POST, every update a GET; the status bar and the Protocol panel show each exchange.&lt;/p&gt;</source>
            <translation>&lt;p&gt;&lt;b&gt;ChatApp %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A small group chat that speaks plain HTTP. Every send is a POST, every update a GET; the status bar and the Protocol panel show each exchange.&lt;/p&gt;</translation>
        </message>
        <message>
            <source>#%1 — %2 at %3 — ChatApp</source>
            <translation>#%1 — %2 at %3 — ChatApp</translation>
        </message>
        <message>
            <source>Not sent: %1</source>
            <translation>Not sent: %1</translation>
        </message>
        <message>
            <source>“%1” is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”, starting with a letter or digit.</source>
            <translation>“%1” is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”, starting with a letter or digit.</translation>
        </message>
        <message>
            <source>Messages not sent yet</source>
            <translation>Messages not sent yet</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) have not reached the server yet and will be lost if you quit. Quit anyway?</source>
            <translation>
                <numerusform>%n message has not reached the server yet and will be lost if you quit. Quit anyway?</numerusform>
                <numerusform>%n messages have not reached the server yet and will be lost if you quit. Quit anyway?</numerusform>
            </translation>
        </message>
        <message>
            <source>Sign &amp;In…</source>
            <translation>Sign &amp;In…</translation>
        </message>
        <message>
            <source>Sign &amp;Out</source>
            <translation>Sign &amp;Out</translation>
        </message>
        <message>
            <source>The server said: %1</source>
            <translation>The server said: %1</translation>
        </message>
        <message>
            <source>&amp;Next Room</source>
            <translation>&amp;Next Room</translation>
        </message>
        <message>
            <source>&amp;Previous Room</source>
            <translation>&amp;Previous Room</translation>
        </message>
        <message>
            <source>%1 / %2</source>
            <translation>%1 / %2</translation>
        </message>
        <message numerus="yes">
            <source>%n character(s) too many: the server will refuse it.</source>
            <translation>
                <numerusform>%n character too many: the server will refuse it.</numerusform>
                <numerusform>%n characters too many: the server will refuse it.</numerusform>
            </translation>
        </message>
        <message>
            <source>The server takes at most %1 characters.</source>
            <translation>The server takes at most %1 characters.</translation>
        </message>
        <message>
            <source>&amp;Keyboard Shortcuts</source>
            <translation>&amp;Keyboard Shortcuts</translation>
        </message>
        <message>
            <source>Send the message</source>
            <translation>Send the message</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>Enter</translation>
        </message>
        <message>
            <source>New line in the message</source>
            <translation>New line in the message</translation>
        </message>
        <message>
            <source>Shift+Enter</source>
            <translation>Shift+Enter</translation>
        </message>
        <message>
            <source>Keyboard Shortcuts</source>
            <translation>Keyboard Shortcuts</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;File</translation>
        </message>
        <message>
            <source>Loading older messages…</source>
            <translation>Loading older messages…</translation>
        </message>
        <message>
            <source>Connect to Another &amp;Server…</source>
            <translation>Connect to Another &amp;Server…</translation>
        </message>
        <message>
            <source>Ctrl+Shift+O</source>
            <translation>Ctrl+Shift+O</translation>
        </message>
        <message>
            <source>Change &amp;Name…</source>
            <translation>Change &amp;Name…</translation>
        </message>
        <message>
            <source>Jump to &amp;Latest Message</source>
            <translation>Jump to &amp;Latest Message</translation>
        </message>
        <message>
            <source>No messages in #%1 yet. Say hello!</source>
            <translation>No messages in #%1 yet. Say hello!</translation>
        </message>
        <message>
            <source>Sign in to read #%1 (Chat ▸ Sign In…).</source>
            <translation>Sign in to read #%1 (Chat ▸ Sign In…).</translation>
        </message>
        <message>
            <source>Loading #%1…</source>
            <translation>Loading #%1…</translation>
        </message>
        <message>
            <source>Sign In…</source>
            <translation>Sign In…</translation>
        </message>
        <message>
            <source>Connect to Another Server…</source>
            <translation>Connect to Another Server…</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?</source>
            <translation>
                <numerusform>%n message has not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?</numerusform>
                <numerusform>%n messages have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?</numerusform>
            </translation>
        </message>
        <message>
            <source>Change Name</source>
            <translation>Change Name</translation>
        </message>
        <message>
            <source>Your name, as others will see it:</source>
            <translation>Your name, as others will see it:</translation>
        </message>
        <message>
            <source>“%1” cannot be a name: use 1 to %2 characters, without line breaks or control characters.</source>
            <translation>“%1” cannot be a name: use 1 to %2 characters, without line breaks or control characters.</translation>
        </message>
        <message>
            <source>The messages of #%1 appear here once %2 answers.</source>
            <translation>The messages of #%1 appear here once %2 answers.</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>&amp;Settings…</translation>
        </message>
        <message>
            <source>&amp;Find Messages…</source>
            <translation>&amp;Find Messages…</translation>
        </message>
        <message>
            <source>That message is no longer in #%1.</source>
            <translation>That message is no longer in #%1.</translation>
        </message>
        <message>
            <source>Edit your last message (in an empty composer)</source>
            <translation>Edit your last message (in an empty composer)</translation>
        </message>
        <message>
            <source>Up</source>
            <translation>Up</translation>
        </message>
        <message>
            <source>Cancel an edit or a reply</source>
            <translation>Cancel an edit or a reply</translation>
        </message>
        <message>
            <source>Esc</source>
            <translation>Esc</translation>
        </message>
        <message>
            <source>Delete Message</source>
            <translation>Delete Message</translation>
        </message>
        <message>
            <source>Delete this message for everyone? This cannot be undone.</source>
            <translation>Delete this message for everyone? This cannot be undone.</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Delete</translation>
        </message>
    </context>
    <context>
        <name>MessageActions</name>
        <message>
            <source>Add Reaction</source>
            <translation>Add Reaction</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>Edit</translation>
        </message>
        <message>
            <source>Delete…</source>
            <translation>Delete…</translation>
        </message>
        <message>
            <source>Reply</source>
            <translation>Reply</translation>
        </message>
    </context>
    <context>
        <name>MessageListView</name>
        <message numerus="yes">
            <source>↓ %n new message(s)</source>
            <translation>
                <numerusform>↓ %n new message</numerusform>
                <numerusform>↓ %n new messages</numerusform>
            </translation>
        </message>
        <message>
            <source>↓ Latest</source>
            <translation>↓ Latest</translation>
        </message>
        <message>
            <source>Jump to the newest message (Ctrl+End)</source>
            <translation>Jump to the newest message (Ctrl+End)</translation>
        </message>
        <message>
            <source>&amp;Copy Text</source>
            <translation>&amp;Copy Text</translation>
        </message>
        <message>
            <source>Copy &amp;Link Address</source>
            <translation>Copy &amp;Link Address</translation>
        </message>
        <message>
            <source>&amp;Reply</source>
            <translation>&amp;Reply</translation>
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation>&amp;Edit</translation>
        </message>
        <message>
            <source>&amp;Delete…</source>
            <translation>&amp;Delete…</translation>
        </message>
    </context>
    <context>
        <name>MessageModel</name>
        <message>
            <source>Today</source>
            <translation>Today</translation>
        </message>
        <message>
            <source>Yesterday</source>
            <translation>Yesterday</translation>
        </message>
        <message>
            <source>sending…</source>
            <translation>sending…</translation>
        </message>
        <message>
            <source>waiting for the server…</source>
            <translation>waiting for the server…</translation>
        </message>
        <message>
            <source>waiting for you to sign in…</source>
            <translation>waiting for you to sign in…</translation>
        </message>
        <message>
            <source>This is the beginning of #%1.</source>
            <translation>This is the beginning of #%1.</translation>
        </message>
        <message>
            <source>New messages</source>
            <translation>New messages</translation>
        </message>
        <message>
            <source>%1, %2:</source>
            <translation>%1, %2:</translation>
        </message>
        <message>
            <source>This message was deleted.</source>
            <translation>This message was deleted.</translation>
        </message>
        <message>
            <source>In reply to a message:</source>
            <translation>In reply to a message:</translation>
        </message>
        <message>
            <source>In reply to %1: %2</source>
            <translation>In reply to %1: %2</translation>
        </message>
        <message>
            <source>(edited)</source>
            <translation>(edited)</translation>
        </message>
        <message>
            <source>%1 from %2</source>
            <translation>%1 from %2</translation>
        </message>
        <message>
            <source>a message</source>
            <translation>a message</translation>
        </message>
        <message numerus="yes">
            <source>%1 reacted with %2</source>
            <translation>
                <numerusform>%1 reacted with %2</numerusform>
                <numerusform>%1 reacted with %2</numerusform>
            </translation>
        </message>
        <message>
            <source>Show the message this one replies to</source>
            <translation>Show the message this one replies to</translation>
        </message>
    </context>
    <context>
        <name>NotificationPolicy</name>
        <message>
            <source>#%1 — %2</source>
            <extracomment>A desktop notification's title: the room, then who wrote.</extracomment>
            <translation>#%1 — %2</translation>
        </message>
    </context>
    <context>
        <name>PasswordDialog</name>
        <message>
            <source>Sign in</source>
            <translation>Sign in</translation>
        </message>
        <message>
            <source>&amp;Password:</source>
            <translation>&amp;Password:</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>&amp;Remember on this computer</source>
            <translation>&amp;Remember on this computer</translation>
        </message>
        <message>
            <source>Keeps the sign-in (not the password) so that the window does not ask again; Chat ▸ Sign Out ends it.</source>
            <translation>Keeps the sign-in (not the password) so that the window does not ask again; Chat ▸ Sign Out ends it.</translation>
        </message>
        <message>
            <source>Sign in to %1</source>
            <translation>Sign in to %1</translation>
        </message>
        <message>
            <source>%1 needs a password to let you chat.</source>
            <translation>%1 needs a password to let you chat.</translation>
        </message>
        <message>
            <source>&amp;Sign In</source>
            <translation>&amp;Sign In</translation>
        </message>
    </context>
    <context>
        <name>ProtocolPanel</name>
        <message>
            <source>Protocol</source>
            <translation>Protocol</translation>
        </message>
        <message>
            <source>HTTP exchanges</source>
            <translation>HTTP exchanges</translation>
        </message>
        <message>
            <source>Selected HTTP exchange</source>
            <translation>Selected HTTP exchange</translation>
        </message>
        <message>
            <source>Select an exchange to see its request and its answer.</source>
            <translation>Select an exchange to see its request and its answer.</translation>
        </message>
        <message>
            <source>&amp;Export Protocol Log…</source>
            <translation>&amp;Export Protocol Log…</translation>
        </message>
        <message>
            <source>Save the exchanges as a HAR file, which browsers' developer tools open</source>
            <translation>Save the exchanges as a HAR file, which browsers' developer tools open</translation>
        </message>
        <message>
            <source>Export Protocol Log</source>
            <translation>Export Protocol Log</translation>
        </message>
        <message>
            <source>HTTP Archive (*.har);;All files (*)</source>
            <translation>HTTP Archive (*.har);;All files (*)</translation>
        </message>
        <message>
            <source>Could not save %1: %2</source>
            <translation>Could not save %1: %2</translation>
        </message>
    </context>
    <context>
        <name>ReactionPicker</name>
        <message>
            <source>Take back %1</source>
            <translation>Take back %1</translation>
        </message>
        <message>
            <source>React with %1</source>
            <translation>React with %1</translation>
        </message>
    </context>
    <context>
        <name>RoomListModel</name>
        <message numerus="yes">
            <source>#%1, %n unread, mentions you</source>
            <translation>
                <numerusform>#%1, %n unread, mentions you</numerusform>
                <numerusform>#%1, %n unread, mentions you</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>#%1, %n unread</source>
            <translation>
                <numerusform>#%1, %n unread</numerusform>
                <numerusform>#%1, %n unread</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unread message(s)</source>
            <translation>
                <numerusform>%n unread message</numerusform>
                <numerusform>%n unread messages</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SearchPanel</name>
        <message>
            <source>Words to find; Enter searches.</source>
            <translation>Words to find; Enter searches.</translation>
        </message>
        <message>
            <source>The search failed: %1</source>
            <translation>The search failed: %1</translation>
        </message>
        <message>
            <source>Nothing holds “%1”.</source>
            <translation>Nothing holds “%1”.</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) found; Enter on one shows it in its room.</source>
            <translation>
                <numerusform>%n message found; Enter on it shows it in its room.</numerusform>
                <numerusform>%n messages found; Enter on one shows it in its room.</numerusform>
            </translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Search</translation>
        </message>
        <message>
            <source>Search messages</source>
            <translation>Search messages</translation>
        </message>
        <message>
            <source>Words to search for</source>
            <translation>Words to search for</translation>
        </message>
        <message>
            <source>Only this &amp;room</source>
            <translation>Only this &amp;room</translation>
        </message>
        <message>
            <source>Messages found</source>
            <translation>Messages found</translation>
        </message>
        <message>
            <source>&amp;More Results</source>
            <translation>&amp;More Results</translation>
        </message>
    </context>
    <context>
        <name>SearchResults</name>
        <message>
            <source>#%1 · %2: %3</source>
            <extracomment>A search result: the room, who wrote, the text.</extracomment>
            <translation>#%1 · %2: %3</translation>
        </message>
    </context>
    <context>
        <name>Session</name>
        <message>
            <source>The server no longer accepts your sign-in: it was ended, or the server's password changed.</source>
            <translation>The server no longer accepts your sign-in: it was ended, or the server's password changed.</translation>
        </message>
        <message>
            <source>The server sent no token.</source>
            <translation>The server sent no token.</translation>
        </message>
        <message>
            <source>Too many wrong passwords from your address; try again in %1 s.</source>
            <translation>Too many wrong passwords from your address; try again in %1 s.</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>Settings</translation>
        </message>
        <message>
            <source>Show &amp;desktop notifications</source>
            <translation>Show &amp;desktop notifications</translation>
        </message>
        <message>
            <source>Notify me when a message &amp;mentions me</source>
            <translation>Notify me when a message &amp;mentions me</translation>
        </message>
        <message>
            <source>&amp;Flash the taskbar entry when the window is in the background</source>
            <translation>&amp;Flash the taskbar entry when the window is in the background</translation>
        </message>
        <message>
            <source>Show the &amp;unread count in the window title</source>
            <translation>Show the &amp;unread count in the window title</translation>
        </message>
        <message>
            <source>&amp;Rooms on this server:</source>
            <translation>&amp;Rooms on this server:</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>Room</translation>
        </message>
        <message>
            <source>Every message</source>
            <translation>Every message</translation>
        </message>
        <message>
            <source>Muted</source>
            <translation>Muted</translation>
        </message>
        <message>
            <source>A message mentions you when it holds your name, “%1”, as a word of its own, with or without @, in capitals or not.</source>
            <translation>A message mentions you when it holds your name, “%1”, as a word of its own, with or without @, in capitals or not.</translation>
        </message>
        <message>
            <source>Every message: each new message of the room notifies. Muted: the room notifies only when a message mentions you, and its unread messages are left out of the title's count.</source>
            <translation>Every message: each new message of the room notifies. Muted: the room notifies only when a message mentions you, and its unread messages are left out of the title's count.</translation>
        </message>
    </context>
    <context>
        <name>TypingIndicator</name>
        <message>
            <source>%1 is typing…</source>
            <translation>%1 is typing…</translation>
        </message>
        <message>
            <source>%1 and %2 are typing…</source>
            <extracomment>Two people typing in the room: "ana and ben are typing…"</extracomment>
            <translation>%1 and %2 are typing…</translation>
        </message>
        <message>
            <source>Several people are typing…</source>
            <translation>Several people are typing…</translation>
        </message>
    </context>
</TS>
