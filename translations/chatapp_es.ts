<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
    <context>
        <name>ApiClient</name>
        <message>
            <source>certificate not trusted</source>
            <translation>certificado no fiable</translation>
        </message>
        <message>
            <source>The server's certificate is not trusted: %1. If the server uses a certificate of its own (self-signed), start the window with --ca-file and that certificate.</source>
            <translation>El certificado del servidor no es de confianza: %1. Si el servidor usa un certificado propio (autofirmado), abra la ventana con --ca-file y ese certificado.</translation>
        </message>
    </context>
    <context>
        <name>ChatClient</name>
        <message>
            <source>%1 (you)</source>
            <translation>%1 (usted)</translation>
        </message>
        <message>
            <source>Signing in to %1…</source>
            <translation>Iniciando sesión en %1…</translation>
        </message>
        <message>
            <source>Not signed in: %1 needs a password (Chat ▸ Sign In…)</source>
            <translation>Sin sesión: %1 pide una contraseña (Chat ▸ Iniciar sesión…)</translation>
        </message>
        <message>
            <source>Not signed in: %1</source>
            <translation>Sin sesión: %1</translation>
        </message>
        <message>
            <source>Not connected to %1: %2</source>
            <translation>Sin conexión con %1: %2</translation>
        </message>
        <message>
            <source>Connecting to %1…</source>
            <translation>Conectando con %1…</translation>
        </message>
        <message>
            <source>long poll</source>
            <translation>long poll</translation>
        </message>
        <message>
            <source>polling every %1 ms</source>
            <translation>consulta cada %1 ms</translation>
        </message>
        <message>
            <source>%1 at %2 · %3</source>
            <translation>%1 en %2 · %3</translation>
        </message>
        <message>
            <source>Nothing answers at %1: check the address and port (Chat ▸ Connect to Another Server…). Retrying in %2 s.</source>
            <translation>Nada responde en %1: compruebe la dirección y el puerto (Chat ▸ Conectarse a otro servidor…). Nuevo intento en %2 s.</translation>
        </message>
        <message>
            <source>Offline: %1 does not answer; retrying in %2 s</source>
            <translation>Sin conexión: %1 no responde; se reintenta en %2 s</translation>
        </message>
    </context>
    <context>
        <name>ClientCommand</name>
        <message>
            <source>Try 'chatapp --help'.</source>
            <translation>Pruebe 'chatapp --help'.</translation>
        </message>
    </context>
    <context>
        <name>ComposeModeBar</name>
        <message>
            <source>Cancel (Esc)</source>
            <translation>Cancelar (Esc)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancelar</translation>
        </message>
        <message>
            <source>Editing message — Esc to cancel</source>
            <translation>Editando el mensaje — Esc para cancelar</translation>
        </message>
        <message>
            <source>Replying to %1: %2</source>
            <translation>Respondiendo a %1: %2</translation>
        </message>
    </context>
    <context>
        <name>Composer</name>
        <message>
            <source>Write a message… (Enter sends, Shift+Enter for a new line)</source>
            <translation>Escriba un mensaje… (Intro envía, Mayús+Intro para una línea nueva)</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Mensaje</translation>
        </message>
    </context>
    <context>
        <name>ConnectDialog</name>
        <message>
            <source>Connect to a chat</source>
            <translation>Conectarse a un chat</translation>
        </message>
        <message>
            <source>&amp;Server:</source>
            <translation>&amp;Servidor:</translation>
        </message>
        <message>
            <source>Server</source>
            <translation>Servidor</translation>
        </message>
        <message>
            <source>chat.example.org or 203.0.113.7</source>
            <translation>chat.example.org o 203.0.113.7</translation>
        </message>
        <message>
            <source>&amp;Port:</source>
            <translation>&amp;Puerto:</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>Puerto</translation>
        </message>
        <message>
            <source>Your &amp;name:</source>
            <translation>Su &amp;nombre:</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>Su nombre</translation>
        </message>
        <message>
            <source>Shown next to your messages</source>
            <translation>Se muestra junto a sus mensajes</translation>
        </message>
        <message>
            <source>&amp;Room:</source>
            <translation>S&amp;ala:</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>Sala</translation>
        </message>
        <message>
            <source>&amp;Connect</source>
            <translation>&amp;Conectar</translation>
        </message>
        <message>
            <source>Enter the server's host name or IP address.</source>
            <translation>Escriba el nombre o la dirección IP del servidor.</translation>
        </message>
        <message>
            <source>Enter your name, as others will see it.</source>
            <translation>Escriba su nombre tal como lo verán los demás.</translation>
        </message>
        <message>
            <source>Your name cannot hold line breaks or control characters.</source>
            <translation>Su nombre no puede contener saltos de línea ni caracteres de control.</translation>
        </message>
        <message>
            <source>Room names use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</source>
            <extracomment>The room field holds an invalid name.</extracomment>
            <translation>Los nombres de sala usan hasta 64 letras minúsculas, dígitos, '-' y '_', y empiezan por una letra o un dígito.</translation>
        </message>
        <message>
            <source>Host name, IP address, or http:// or https:// address of the chat server</source>
            <translation>Nombre, dirección IP o dirección http:// o https:// del servidor de chat</translation>
        </message>
        <message>
            <source>'%1' is not a server address: use a host name, an IP address, http://HOST:PORT or https://HOST:PORT.</source>
            <translation>'%1' no es una dirección de servidor: use un nombre, una dirección IP, http://HOST:PUERTO o https://HOST:PUERTO.</translation>
        </message>
    </context>
    <context>
        <name>DesktopNotifier</name>
        <message>
            <source>Open</source>
            <extracomment>The button of a desktop notification that opens the message's room.</extracomment>
            <translation>Abrir</translation>
        </message>
    </context>
    <context>
        <name>ErrorTexts</name>
        <message>
            <source>The message is longer than %1 characters.</source>
            <translation>El mensaje tiene más de %1 caracteres.</translation>
        </message>
        <message>
            <source>The name is longer than %1 characters.</source>
            <translation>El nombre tiene más de %1 caracteres.</translation>
        </message>
        <message>
            <source>The message is larger than the server accepts.</source>
            <translation>El mensaje es más grande de lo que acepta el servidor.</translation>
        </message>
        <message>
            <source>The message or the name is empty.</source>
            <translation>El mensaje o el nombre están vacíos.</translation>
        </message>
        <message>
            <source>The message or the name holds characters the server does not accept.</source>
            <translation>El mensaje o el nombre contienen caracteres que el servidor no acepta.</translation>
        </message>
        <message>
            <source>That is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”.</source>
            <translation>Ese no es un nombre de sala: use de 1 a 64 minúsculas, cifras, «-» o «_».</translation>
        </message>
        <message>
            <source>The room does not exist on the server.</source>
            <translation>La sala no existe en el servidor.</translation>
        </message>
        <message>
            <source>Too many messages at once from this address; the server asks to wait a moment.</source>
            <translation>Demasiados mensajes a la vez desde esta dirección; el servidor pide esperar un momento.</translation>
        </message>
        <message>
            <source>The server cannot store messages right now; nothing was lost, and it will be tried again.</source>
            <translation>El servidor no puede guardar mensajes ahora; no se ha perdido nada y se volverá a intentar.</translation>
        </message>
        <message>
            <source>The server cannot read its messages right now.</source>
            <translation>El servidor no puede leer sus mensajes ahora.</translation>
        </message>
        <message>
            <source>The server's copy of this room is damaged; its operator must restart it.</source>
            <translation>La copia de esta sala en el servidor está dañada; quien lo administra debe reiniciarlo.</translation>
        </message>
        <message>
            <source>The server is full right now; try again shortly.</source>
            <translation>El servidor está lleno ahora; vuelva a intentarlo en breve.</translation>
        </message>
        <message>
            <source>The request took too long to reach the server.</source>
            <translation>La petición tardó demasiado en llegar al servidor.</translation>
        </message>
        <message>
            <source>The server asks for its password.</source>
            <translation>El servidor pide su contraseña.</translation>
        </message>
        <message>
            <source>The server does not answer to this address; its operator can allow it with --allowed-host.</source>
            <translation>El servidor no responde a esta dirección; quien lo administra puede permitirla con --allowed-host.</translation>
        </message>
        <message>
            <source>The server refused a request made from another site.</source>
            <translation>El servidor rechazó una petición hecha desde otro sitio.</translation>
        </message>
        <message>
            <source>A retry of an earlier message did not match it; the message was not sent twice.</source>
            <translation>Un reintento de un mensaje anterior no coincidía con él; el mensaje no se envió dos veces.</translation>
        </message>
        <message>
            <source>The server's copy of this room was reset; the room is loaded again.</source>
            <translation>La copia de esta sala en el servidor se reinició; la sala se vuelve a cargar.</translation>
        </message>
        <message>
            <source>The password is not right.</source>
            <translation>La contraseña no es correcta.</translation>
        </message>
        <message>
            <source>@room calls everyone in the room, so it can be sent only now and then: wait a little, or send the message without it.</source>
            <translation>@room llama a todos los de la sala, así que solo se puede enviar de vez en cuando: espere un poco o envíe el mensaje sin él.</translation>
        </message>
        <message>
            <source>Only the person who sent a message can change it, from the window it was sent from.</source>
            <translation>Solo quien envió un mensaje puede cambiarlo, desde la ventana desde la que lo envió.</translation>
        </message>
        <message>
            <source>The message was deleted.</source>
            <translation>El mensaje fue eliminado.</translation>
        </message>
        <message>
            <source>That is not a message that can be changed.</source>
            <translation>Eso no es un mensaje que se pueda cambiar.</translation>
        </message>
        <message>
            <source>The message you are replying to is not in this room.</source>
            <translation>El mensaje al que respondes no está en esta sala.</translation>
        </message>
        <message>
            <source>That message is not in the room.</source>
            <translation>Ese mensaje no está en la sala.</translation>
        </message>
    </context>
    <context>
        <name>Exchange</name>
        <message>
            <source>no connection</source>
            <translation>sin conexión</translation>
        </message>
        <message>
            <source>no connection (%1)</source>
            <translation>sin conexión (%1)</translation>
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
            <translation>Hora</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>Método</translation>
        </message>
        <message>
            <source>Path</source>
            <translation>Ruta</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Estado</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Duración</translation>
        </message>
    </context>
    <context>
        <name>ExchangeText</name>
        <message>
            <source>(no answer: %1)</source>
            <extracomment>In the Protocol panel, where the answer would be; %1 is the network error.</extracomment>
            <translation>(sin respuesta: %1)</translation>
        </message>
        <message numerus="yes">
            <source>[… %n more byte(s) not kept]</source>
            <extracomment>After a long body in the Protocol panel: only its start was kept.</extracomment>
            <translation>
                <numerusform>[… %n byte más no guardado]</numerusform>
                <numerusform>[… %n bytes más no guardados]</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>HomePage</name>
        <message>
            <source>ChatApp on %1</source>
            <translation>ChatApp en %1</translation>
        </message>
        <message>
            <source>A group chat over plain HTTP. This server runs version %1.</source>
            <translation>Un chat de grupo sobre HTTP simple. Este servidor ejecuta la versión %1.</translation>
        </message>
        <message>
            <source>Join the chat</source>
            <translation>Unirse al chat</translation>
        </message>
        <message>
            <source>Start ChatApp with this server's address and port:</source>
            <translation>Abra ChatApp con la dirección y el puerto de este servidor:</translation>
        </message>
        <message>
            <source>This server has a password: ask whoever runs it. The window asks for it when it connects.</source>
            <translation>Este servidor tiene contraseña: pídasela a quien lo administra. La ventana se la pedirá al conectarse.</translation>
        </message>
        <message>
            <source>Get ChatApp</source>
            <translation>Obtener ChatApp</translation>
        </message>
        <message>
            <source>For Linux on x86-64, one file of %1 that runs without installing:</source>
            <translation>Para Linux en x86-64, un solo archivo de %1 que funciona sin instalar nada:</translation>
        </message>
        <message>
            <source>Download %1</source>
            <translation>Descargar %1</translation>
        </message>
        <message>
            <source>Or in a terminal:</source>
            <translation>O en una terminal:</translation>
        </message>
        <message>
            <source>This server offers no download: it is not running from an AppImage. ChatApp's README says how to install it.</source>
            <translation>Este servidor no ofrece descargas: no se ejecuta desde una AppImage. El README de ChatApp explica cómo instalarlo.</translation>
        </message>
        <message>
            <source>API reference</source>
            <translation>referencia de la API</translation>
        </message>
        <message>
            <source>Write your own client</source>
            <translation>Escribir su propio cliente</translation>
        </message>
        <message>
            <source>Everything the window does is an HTTP request you can make yourself, for example with curl:</source>
            <translation>Todo lo que hace la ventana es una petición HTTP que usted mismo puede hacer, por ejemplo con curl:</translation>
        </message>
        <message>
            <source>The %1 describes every request and answer.</source>
            <translation>La %1 describe cada petición y cada respuesta.</translation>
        </message>
    </context>
    <context>
        <name>LaunchOptions</name>
        <message>
            <source>Your name, shown next to your messages (1 to 32 characters).</source>
            <translation>Su nombre, que se muestra junto a sus mensajes (de 1 a 32 caracteres).</translation>
        </message>
        <message>
            <source>Room to open first (default general).</source>
            <translation>Sala que se abre primero (por omisión general).</translation>
        </message>
        <message>
            <source>Milliseconds between checks for new messages, 100 to 600000.</source>
            <translation>Milisegundos entre consultas de mensajes nuevos, de 100 a 600000.</translation>
        </message>
        <message>
            <source>Language of the window: es or en (default: the system's).</source>
            <translation>Idioma de la ventana: es o en (por omisión, el del sistema).</translation>
        </message>
        <message>
            <source>Show this help and exit.</source>
            <translation>Muestra esta ayuda y termina.</translation>
        </message>
        <message>
            <source>Show the version and exit.</source>
            <translation>Muestra la versión y termina.</translation>
        </message>
        <message>
            <source>%1 needs a value.</source>
            <translation>%1 necesita un valor.</translation>
        </message>
        <message>
            <source>Unknown option '%1'.</source>
            <translation>Opción desconocida '%1'.</translation>
        </message>
        <message>
            <source>Server to connect to, as with --connect.</source>
            <translation>Servidor al que conectarse, como con --connect.</translation>
        </message>
        <message>
            <source>Its port, if not given with HOST.</source>
            <translation>Su puerto, si no va con HOST.</translation>
        </message>
        <message>
            <source>Usage: %1 [options] [HOST[:PORT] [PORT]]</source>
            <translation>Uso: %1 [opciones] [HOST[:PUERTO] [PUERTO]]</translation>
        </message>
        <message>
            <source>Opens a ChatApp window on a chat server; without a server, asks for one.</source>
            <translation>Abre una ventana de ChatApp en un servidor de chat; sin servidor, pregunta por uno.</translation>
        </message>
        <message>
            <source>Options:</source>
            <translation>Opciones:</translation>
        </message>
        <message>
            <source>Arguments:</source>
            <translation>Argumentos:</translation>
        </message>
        <message>
            <source>Qt's own options, such as -platform, -display, -style and -reverse, are passed on to Qt.</source>
            <translation>Las opciones propias de Qt, como -platform, -display, -style y -reverse, se pasan a Qt.</translation>
        </message>
        <message>
            <source>To host a chat instead, see %1 --serve --help.</source>
            <translation>Para alojar un chat, vea %1 --serve --help.</translation>
        </message>
        <message>
            <source>Too many arguments: expected at most HOST and PORT.</source>
            <translation>Demasiados argumentos: se esperaban como mucho HOST y PUERTO.</translation>
        </message>
        <message>
            <source>'%1' is not a port number (1 to 65535).</source>
            <translation>'%1' no es un número de puerto (de 1 a 65535).</translation>
        </message>
        <message>
            <source>'%1' already names a port; give the port only once.</source>
            <translation>'%1' ya indica un puerto; indique el puerto una sola vez.</translation>
        </message>
        <message>
            <source>'%1' is not a language ChatApp speaks; use --lang es or --lang en.</source>
            <translation>ChatApp no habla '%1'; use --lang es o --lang en.</translation>
        </message>
        <message>
            <source>Give the server either with --connect or as an argument, not both.</source>
            <translation>Indique el servidor con --connect o como argumento, no de las dos formas.</translation>
        </message>
        <message>
            <source>--name takes 1 to %1 characters, without line breaks or control characters.</source>
            <translation>--name admite de 1 a %1 caracteres, sin saltos de línea ni caracteres de control.</translation>
        </message>
        <message>
            <source>'%1' is not a room name: use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.</source>
            <translation>'%1' no es un nombre de sala: use hasta 64 letras minúsculas, dígitos, '-' y '_', empezando por una letra o un dígito.</translation>
        </message>
        <message>
            <source>--poll-interval takes milliseconds from %1 to %2, not '%3'.</source>
            <translation>--poll-interval admite milisegundos de %1 a %2, no '%3'.</translation>
        </message>
        <message>
            <source>Sign in with the first line of FILE when the server asks for a password, instead of asking; if it is wrong, the window asks.</source>
            <translation>Inicia sesión con la primera línea de FILE cuando el servidor pide una contraseña, en lugar de preguntarla; si es incorrecta, la ventana la pregunta.</translation>
        </message>
        <message>
            <source>Cannot read the password file '%1': %2.</source>
            <translation>No se puede leer el archivo de contraseña '%1': %2.</translation>
        </message>
        <message>
            <source>The password file '%1' is empty.</source>
            <translation>El archivo de contraseña '%1' está vacío.</translation>
        </message>
        <message>
            <source>The password in '%1' is longer than %2 characters.</source>
            <translation>La contraseña de '%1' tiene más de %2 caracteres.</translation>
        </message>
        <message>
            <source>Server to connect to: HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT (default port 3550).</source>
            <translation>Servidor al que conectarse: HOST, HOST:PUERTO, http://HOST:PUERTO o https://HOST:PUERTO (puerto predeterminado 3550).</translation>
        </message>
        <message>
            <source>Also trust the PEM certificates in FILE for https:// servers, such as a server's self-signed certificate.</source>
            <translation>Confiar también en los certificados PEM de FILE para servidores https://, como el certificado autofirmado de un servidor.</translation>
        </message>
        <message>
            <source>'%1' is not a server address; give HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT.</source>
            <translation>'%1' no es una dirección de servidor; indique HOST, HOST:PUERTO, http://HOST:PUERTO o https://HOST:PUERTO.</translation>
        </message>
        <message>
            <source>Cannot read the certificate file '%1': %2.</source>
            <translation>No se puede leer el fichero de certificados '%1': %2.</translation>
        </message>
        <message>
            <source>'%1' holds no PEM certificate.</source>
            <translation>'%1' no contiene ningún certificado PEM.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Online (%1)</source>
            <translation>En línea (%1)</translation>
        </message>
        <message>
            <source>&amp;Rooms</source>
            <translation>&amp;Salas</translation>
        </message>
        <message>
            <source>Rooms</source>
            <translation>Salas</translation>
        </message>
        <message>
            <source>Join or create a room</source>
            <translation>Unirse o crear sala</translation>
        </message>
        <message>
            <source>Room to join or create</source>
            <translation>Sala a la que unirse o que crear</translation>
        </message>
        <message>
            <source>&amp;Join</source>
            <translation>&amp;Unirse</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>En línea</translation>
        </message>
        <message>
            <source>People online in this room</source>
            <translation>Personas en línea en esta sala</translation>
        </message>
        <message>
            <source>Messages</source>
            <translation>Mensajes</translation>
        </message>
        <message>
            <source>&amp;Send</source>
            <translation>&amp;Enviar</translation>
        </message>
        <message>
            <source>Send message</source>
            <translation>Enviar mensaje</translation>
        </message>
        <message>
            <source>Last HTTP exchange</source>
            <translation>Último intercambio HTTP</translation>
        </message>
        <message>
            <source>&amp;Chat</source>
            <translation>&amp;Chat</translation>
        </message>
        <message>
            <source>&amp;Join or Create Room…</source>
            <translation>&amp;Unirse a una sala o crearla…</translation>
        </message>
        <message>
            <source>Ctrl+K</source>
            <translation>Ctrl+K</translation>
        </message>
        <message>
            <source>&amp;Write a Message</source>
            <translation>&amp;Escribir un mensaje</translation>
        </message>
        <message>
            <source>Ctrl+L</source>
            <translation>Ctrl+L</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>&amp;Salir</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>&amp;Ver</translation>
        </message>
        <message>
            <source>&amp;Protocol Panel</source>
            <translation>Panel de &amp;protocolo</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>A&amp;yuda</translation>
        </message>
        <message>
            <source>&amp;About ChatApp</source>
            <translation>&amp;Acerca de ChatApp</translation>
        </message>
        <message>
            <source>About ChatApp</source>
            <translation>Acerca de ChatApp</translation>
        </message>
        <message>
            <source>&lt;p&gt;&lt;b&gt;ChatApp %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A small group chat that speaks plain HTTP. Every send is a POST, every update a GET; the status bar and the Protocol panel show each exchange.&lt;/p&gt;</source>
            <translation>&lt;p&gt;&lt;b&gt;ChatApp %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Un pequeño chat de grupo que habla HTTP simple. Cada envío es un POST y cada actualización un GET; la barra de estado y el panel de protocolo muestran cada intercambio.&lt;/p&gt;</translation>
        </message>
        <message>
            <source>#%1 — %2 at %3 — ChatApp</source>
            <translation>#%1 — %2 en %3 — ChatApp</translation>
        </message>
        <message>
            <source>Not sent: %1</source>
            <translation>No enviado: %1</translation>
        </message>
        <message>
            <source>“%1” is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”, starting with a letter or digit.</source>
            <translation>«%1» no es un nombre de sala: use de 1 a 64 letras minúsculas, dígitos, «-» o «_», empezando por una letra o un dígito.</translation>
        </message>
        <message>
            <source>Messages not sent yet</source>
            <translation>Mensajes aún sin enviar</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) have not reached the server yet and will be lost if you quit. Quit anyway?</source>
            <translation>
                <numerusform>%n mensaje aún no ha llegado al servidor y se perderá si sale. ¿Salir de todos modos?</numerusform>
                <numerusform>%n mensajes aún no han llegado al servidor y se perderán si sale. ¿Salir de todos modos?</numerusform>
            </translation>
        </message>
        <message>
            <source>Sign &amp;In…</source>
            <translation>&amp;Iniciar sesión…</translation>
        </message>
        <message>
            <source>Sign &amp;Out</source>
            <translation>&amp;Cerrar sesión</translation>
        </message>
        <message>
            <source>The server said: %1</source>
            <translation>El servidor dijo: %1</translation>
        </message>
        <message>
            <source>&amp;Next Room</source>
            <translation>Sala si&amp;guiente</translation>
        </message>
        <message>
            <source>&amp;Previous Room</source>
            <translation>Sala &amp;anterior</translation>
        </message>
        <message>
            <source>%1 / %2</source>
            <translation>%1 / %2</translation>
        </message>
        <message numerus="yes">
            <source>%n character(s) too many: the server will refuse it.</source>
            <translation>
                <numerusform>%n carácter de más: el servidor lo rechazará.</numerusform>
                <numerusform>%n caracteres de más: el servidor lo rechazará.</numerusform>
            </translation>
        </message>
        <message>
            <source>The server takes at most %1 characters.</source>
            <translation>El servidor acepta como máximo %1 caracteres.</translation>
        </message>
        <message>
            <source>&amp;Keyboard Shortcuts</source>
            <translation>A&amp;tajos de teclado</translation>
        </message>
        <message>
            <source>Send the message</source>
            <translation>Enviar el mensaje</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>Intro</translation>
        </message>
        <message>
            <source>New line in the message</source>
            <translation>Nueva línea en el mensaje</translation>
        </message>
        <message>
            <source>Shift+Enter</source>
            <translation>Mayús+Intro</translation>
        </message>
        <message>
            <source>Keyboard Shortcuts</source>
            <translation>Atajos de teclado</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Archivo</translation>
        </message>
        <message>
            <source>Loading older messages…</source>
            <translation>Cargando mensajes anteriores…</translation>
        </message>
        <message>
            <source>Connect to Another &amp;Server…</source>
            <translation>Conectarse a otro &amp;servidor…</translation>
        </message>
        <message>
            <source>Ctrl+Shift+O</source>
            <translation>Ctrl+Mayús+O</translation>
        </message>
        <message>
            <source>Change &amp;Name…</source>
            <translation>Cambiar de &amp;nombre…</translation>
        </message>
        <message>
            <source>Jump to &amp;Latest Message</source>
            <translation>Ir al ú&amp;ltimo mensaje</translation>
        </message>
        <message>
            <source>No messages in #%1 yet. Say hello!</source>
            <translation>Aún no hay mensajes en #%1. ¡Salude!</translation>
        </message>
        <message>
            <source>Sign in to read #%1 (Chat ▸ Sign In…).</source>
            <translation>Inicie sesión para leer #%1 (Chat ▸ Iniciar sesión…).</translation>
        </message>
        <message>
            <source>Loading #%1…</source>
            <translation>Cargando #%1…</translation>
        </message>
        <message>
            <source>Sign In…</source>
            <translation>Iniciar sesión…</translation>
        </message>
        <message>
            <source>Connect to Another Server…</source>
            <translation>Conectarse a otro servidor…</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?</source>
            <translation>
                <numerusform>%n mensaje aún no ha llegado a %1 y se perderá si se conecta a otro servidor. ¿Conectarse de todos modos?</numerusform>
                <numerusform>%n mensajes aún no han llegado a %1 y se perderán si se conecta a otro servidor. ¿Conectarse de todos modos?</numerusform>
            </translation>
        </message>
        <message>
            <source>Change Name</source>
            <translation>Cambiar de nombre</translation>
        </message>
        <message>
            <source>Your name, as others will see it:</source>
            <translation>Su nombre, tal como lo verán los demás:</translation>
        </message>
        <message>
            <source>“%1” cannot be a name: use 1 to %2 characters, without line breaks or control characters.</source>
            <translation>«%1» no puede ser un nombre: use de 1 a %2 caracteres, sin saltos de línea ni caracteres de control.</translation>
        </message>
        <message>
            <source>The messages of #%1 appear here once %2 answers.</source>
            <translation>Los mensajes de #%1 aparecerán aquí cuando %2 responda.</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>C&amp;onfiguración…</translation>
        </message>
        <message>
            <source>&amp;Find Messages…</source>
            <translation>&amp;Buscar mensajes…</translation>
        </message>
        <message>
            <source>That message is no longer in #%1.</source>
            <translation>Ese mensaje ya no está en #%1.</translation>
        </message>
        <message>
            <source>Edit your last message (in an empty composer)</source>
            <translation>Editar su último mensaje (con el cuadro de texto vacío)</translation>
        </message>
        <message>
            <source>Up</source>
            <translation>Flecha arriba</translation>
        </message>
        <message>
            <source>Cancel an edit or a reply</source>
            <translation>Cancelar una edición o una respuesta</translation>
        </message>
        <message>
            <source>Esc</source>
            <translation>Esc</translation>
        </message>
        <message>
            <source>Delete Message</source>
            <translation>Eliminar mensaje</translation>
        </message>
        <message>
            <source>Delete this message for everyone? This cannot be undone.</source>
            <translation>¿Eliminar este mensaje para todos? No se puede deshacer.</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Eliminar</translation>
        </message>
    </context>
    <context>
        <name>MessageActions</name>
        <message>
            <source>Add Reaction</source>
            <translation>Añadir reacción</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>Editar</translation>
        </message>
        <message>
            <source>Delete…</source>
            <translation>Eliminar…</translation>
        </message>
        <message>
            <source>Reply</source>
            <translation>Responder</translation>
        </message>
    </context>
    <context>
        <name>MessageListView</name>
        <message numerus="yes">
            <source>↓ %n new message(s)</source>
            <translation>
                <numerusform>↓ %n mensaje nuevo</numerusform>
                <numerusform>↓ %n mensajes nuevos</numerusform>
            </translation>
        </message>
        <message>
            <source>↓ Latest</source>
            <translation>↓ Lo último</translation>
        </message>
        <message>
            <source>Jump to the newest message (Ctrl+End)</source>
            <translation>Ir al mensaje más reciente (Ctrl+Fin)</translation>
        </message>
        <message>
            <source>&amp;Copy Text</source>
            <translation>&amp;Copiar texto</translation>
        </message>
        <message>
            <source>Copy &amp;Link Address</source>
            <translation>Copiar la dirección del &amp;enlace</translation>
        </message>
        <message>
            <source>&amp;Reply</source>
            <translation>&amp;Responder</translation>
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation>&amp;Editar</translation>
        </message>
        <message>
            <source>&amp;Delete…</source>
            <translation>E&amp;liminar…</translation>
        </message>
    </context>
    <context>
        <name>MessageModel</name>
        <message>
            <source>Today</source>
            <translation>Hoy</translation>
        </message>
        <message>
            <source>Yesterday</source>
            <translation>Ayer</translation>
        </message>
        <message>
            <source>sending…</source>
            <translation>enviando…</translation>
        </message>
        <message>
            <source>waiting for the server…</source>
            <translation>esperando al servidor…</translation>
        </message>
        <message>
            <source>waiting for you to sign in…</source>
            <translation>esperando a que inicie sesión…</translation>
        </message>
        <message>
            <source>This is the beginning of #%1.</source>
            <translation>Este es el principio de #%1.</translation>
        </message>
        <message>
            <source>New messages</source>
            <translation>Mensajes nuevos</translation>
        </message>
        <message>
            <source>%1, %2:</source>
            <translation>%1, %2:</translation>
        </message>
        <message>
            <source>This message was deleted.</source>
            <translation>Este mensaje se eliminó.</translation>
        </message>
        <message>
            <source>In reply to a message:</source>
            <translation>En respuesta a un mensaje:</translation>
        </message>
        <message>
            <source>In reply to %1: %2</source>
            <translation>En respuesta a %1: %2</translation>
        </message>
        <message>
            <source>(edited)</source>
            <translation>(editado)</translation>
        </message>
        <message>
            <source>%1 from %2</source>
            <translation>%1 de %2</translation>
        </message>
        <message>
            <source>a message</source>
            <translation>un mensaje</translation>
        </message>
        <message numerus="yes">
            <source>%1 reacted with %2</source>
            <translation>
                <numerusform>%1 reaccionó con %2</numerusform>
                <numerusform>%1 reaccionaron con %2</numerusform>
            </translation>
        </message>
        <message>
            <source>Show the message this one replies to</source>
            <translation>Mostrar el mensaje al que responde este</translation>
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
            <translation>Iniciar sesión</translation>
        </message>
        <message>
            <source>&amp;Password:</source>
            <translation>&amp;Contraseña:</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Contraseña</translation>
        </message>
        <message>
            <source>&amp;Remember on this computer</source>
            <translation>&amp;Recordar en este equipo</translation>
        </message>
        <message>
            <source>Keeps the sign-in (not the password) so that the window does not ask again; Chat ▸ Sign Out ends it.</source>
            <translation>Guarda la sesión (no la contraseña) para que la ventana no vuelva a preguntar; Chat ▸ Cerrar sesión la termina.</translation>
        </message>
        <message>
            <source>Sign in to %1</source>
            <translation>Iniciar sesión en %1</translation>
        </message>
        <message>
            <source>%1 needs a password to let you chat.</source>
            <translation>%1 pide una contraseña para dejarle chatear.</translation>
        </message>
        <message>
            <source>&amp;Sign In</source>
            <translation>&amp;Iniciar sesión</translation>
        </message>
    </context>
    <context>
        <name>ProtocolPanel</name>
        <message>
            <source>Protocol</source>
            <translation>Protocolo</translation>
        </message>
        <message>
            <source>HTTP exchanges</source>
            <translation>Intercambios HTTP</translation>
        </message>
        <message>
            <source>Selected HTTP exchange</source>
            <translation>Intercambio HTTP seleccionado</translation>
        </message>
        <message>
            <source>Select an exchange to see its request and its answer.</source>
            <translation>Seleccione un intercambio para ver su petición y su respuesta.</translation>
        </message>
        <message>
            <source>&amp;Export Protocol Log…</source>
            <translation>&amp;Exportar registro de protocolo…</translation>
        </message>
        <message>
            <source>Save the exchanges as a HAR file, which browsers' developer tools open</source>
            <translation>Guardar los intercambios en un fichero HAR, que abren las herramientas para desarrolladores de los navegadores</translation>
        </message>
        <message>
            <source>Export Protocol Log</source>
            <translation>Exportar registro de protocolo</translation>
        </message>
        <message>
            <source>HTTP Archive (*.har);;All files (*)</source>
            <translation>Archivo HTTP (*.har);;Todos los ficheros (*)</translation>
        </message>
        <message>
            <source>Could not save %1: %2</source>
            <translation>No se pudo guardar %1: %2</translation>
        </message>
    </context>
    <context>
        <name>ReactionPicker</name>
        <message>
            <source>Take back %1</source>
            <translation>Quitar %1</translation>
        </message>
        <message>
            <source>React with %1</source>
            <translation>Reaccionar con %1</translation>
        </message>
    </context>
    <context>
        <name>RoomListModel</name>
        <message numerus="yes">
            <source>#%1, %n unread, mentions you</source>
            <translation>
                <numerusform>#%1, %n sin leer, le mencionan</numerusform>
                <numerusform>#%1, %n sin leer, le mencionan</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>#%1, %n unread</source>
            <translation>
                <numerusform>#%1, %n sin leer</numerusform>
                <numerusform>#%1, %n sin leer</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unread message(s)</source>
            <translation>
                <numerusform>%n mensaje sin leer</numerusform>
                <numerusform>%n mensajes sin leer</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SearchPanel</name>
        <message>
            <source>Words to find; Enter searches.</source>
            <translation>Palabras que buscar; Intro busca.</translation>
        </message>
        <message>
            <source>The search failed: %1</source>
            <translation>La búsqueda falló: %1</translation>
        </message>
        <message>
            <source>Nothing holds “%1”.</source>
            <translation>Ningún mensaje contiene «%1».</translation>
        </message>
        <message numerus="yes">
            <source>%n message(s) found; Enter on one shows it in its room.</source>
            <translation>
                <numerusform>%n mensaje encontrado; Intro sobre él lo muestra en su sala.</numerusform>
                <numerusform>%n mensajes encontrados; Intro sobre uno lo muestra en su sala.</numerusform>
            </translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Buscar</translation>
        </message>
        <message>
            <source>Search messages</source>
            <translation>Buscar mensajes</translation>
        </message>
        <message>
            <source>Words to search for</source>
            <translation>Palabras que buscar</translation>
        </message>
        <message>
            <source>Only this &amp;room</source>
            <translation>Solo esta &amp;sala</translation>
        </message>
        <message>
            <source>Messages found</source>
            <translation>Mensajes encontrados</translation>
        </message>
        <message>
            <source>&amp;More Results</source>
            <translation>&amp;Más resultados</translation>
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
            <translation>El servidor ya no acepta su sesión: se cerró, o la contraseña del servidor cambió.</translation>
        </message>
        <message>
            <source>The server sent no token.</source>
            <translation>El servidor no envió ningún token.</translation>
        </message>
        <message>
            <source>Too many wrong passwords from your address; try again in %1 s.</source>
            <translation>Demasiadas contraseñas incorrectas desde su dirección; vuelva a intentarlo en %1 s.</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>Configuración</translation>
        </message>
        <message>
            <source>Show &amp;desktop notifications</source>
            <translation>Mostrar &amp;notificaciones de escritorio</translation>
        </message>
        <message>
            <source>Notify me when a message &amp;mentions me</source>
            <translation>Avisarme cuando un mensaje me &amp;mencione</translation>
        </message>
        <message>
            <source>&amp;Flash the taskbar entry when the window is in the background</source>
            <translation>Hacer &amp;parpadear la entrada de la barra de tareas cuando la ventana esté en segundo plano</translation>
        </message>
        <message>
            <source>Show the &amp;unread count in the window title</source>
            <translation>Mostrar el número de mensajes sin &amp;leer en el título de la ventana</translation>
        </message>
        <message>
            <source>&amp;Rooms on this server:</source>
            <translation>&amp;Salas de este servidor:</translation>
        </message>
        <message>
            <source>Room</source>
            <translation>Sala</translation>
        </message>
        <message>
            <source>Every message</source>
            <translation>Todos los mensajes</translation>
        </message>
        <message>
            <source>Muted</source>
            <translation>Silenciada</translation>
        </message>
        <message>
            <source>A message mentions you when it holds your name, “%1”, as a word of its own, with or without @, in capitals or not.</source>
            <translation>Un mensaje le menciona cuando contiene su nombre, «%1», como palabra aparte, con o sin @, en mayúsculas o no.</translation>
        </message>
        <message>
            <source>Every message: each new message of the room notifies. Muted: the room notifies only when a message mentions you, and its unread messages are left out of the title's count.</source>
            <translation>Todos los mensajes: cada mensaje nuevo de la sala avisa. Silenciada: la sala solo avisa cuando un mensaje le menciona, y sus mensajes sin leer no cuentan en el título.</translation>
        </message>
    </context>
    <context>
        <name>TypingIndicator</name>
        <message>
            <source>%1 is typing…</source>
            <translation>%1 está escribiendo…</translation>
        </message>
        <message>
            <source>%1 and %2 are typing…</source>
            <extracomment>Two people typing in the room: "ana and ben are typing…"</extracomment>
            <translation>%1 y %2 están escribiendo…</translation>
        </message>
        <message>
            <source>Several people are typing…</source>
            <translation>Varias personas están escribiendo…</translation>
        </message>
    </context>
</TS>
