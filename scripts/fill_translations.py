#!/usr/bin/env python3
"""Fills translations/chatapp_{en,es}.ts from the table below after
`cmake --build build --target update_translations` has added new source texts.
English copies each source text (plural forms spelled out); Spanish comes from
SPANISH. A source text without a Spanish entry makes the script fail, so a new
string cannot slip into a release untranslated."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SPANISH = {
    "certificate not trusted": "certificado no fiable",
    "The server's certificate is not trusted: %1. If the server uses a certificate of its own (self-signed), start the window with --ca-file and that certificate.": "El certificado del servidor no es de confianza: %1. Si el servidor usa un certificado propio (autofirmado), abra la ventana con --ca-file y ese certificado.",
    "Host name, IP address, or http:// or https:// address of the chat server": "Nombre, dirección IP o dirección http:// o https:// del servidor de chat",
    "'%1' is not a server address: use a host name, an IP address, http://HOST:PORT or https://HOST:PORT.": "'%1' no es una dirección de servidor: use un nombre, una dirección IP, http://HOST:PUERTO o https://HOST:PUERTO.",
    "Server to connect to: HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT (default port 3550).": "Servidor al que conectarse: HOST, HOST:PUERTO, http://HOST:PUERTO o https://HOST:PUERTO (puerto predeterminado 3550).",
    "Also trust the PEM certificates in FILE for https:// servers, such as a server's self-signed certificate.": "Confiar también en los certificados PEM de FILE para servidores https://, como el certificado autofirmado de un servidor.",
    "'%1' is not a server address; give HOST, HOST:PORT, http://HOST:PORT or https://HOST:PORT.": "'%1' no es una dirección de servidor; indique HOST, HOST:PUERTO, http://HOST:PUERTO o https://HOST:PUERTO.",
    "Cannot read the certificate file '%1': %2.": "No se puede leer el fichero de certificados '%1': %2.",
    "'%1' holds no PEM certificate.": "'%1' no contiene ningún certificado PEM.",
    "Not connected to %1: %2": "Sin conexión con %1: %2",
    "Try 'chatapp --help'.": "Pruebe 'chatapp --help'.",
    "Write a message… (Enter sends, Shift+Enter for a new line)": "Escriba un mensaje… (Intro envía, Mayús+Intro para una línea nueva)",
    "Message": "Mensaje",
    "Connect to a chat": "Conectarse a un chat",
    "&Server:": "&Servidor:",
    "Server": "Servidor",
    "Host name, IP address or http:// address of the chat server": "Nombre, dirección IP o dirección http:// del servidor de chat",
    "chat.example.org or 203.0.113.7": "chat.example.org o 203.0.113.7",
    "&Port:": "&Puerto:",
    "Port": "Puerto",
    "Your &name:": "Su &nombre:",
    "Your name": "Su nombre",
    "Shown next to your messages": "Se muestra junto a sus mensajes",
    "&Room:": "S&ala:",
    "Room": "Sala",
    "&Connect": "&Conectar",
    "Enter the server's host name or IP address.": "Escriba el nombre o la dirección IP del servidor.",
    "ChatApp servers speak plain http; https:// addresses are not supported.": "Los servidores de ChatApp hablan http simple; las direcciones https:// no se admiten.",
    "'%1' is not a server address: use a host name, an IP address or http://HOST:PORT.": "'%1' no es una dirección de servidor: use un nombre, una dirección IP o http://HOST:PUERTO.",
    "Enter your name, as others will see it.": "Escriba su nombre tal como lo verán los demás.",
    "Your name cannot hold line breaks or control characters.": "Su nombre no puede contener saltos de línea ni caracteres de control.",
    "Room names use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.": "Los nombres de sala usan hasta 64 letras minúsculas, dígitos, '-' y '_', y empiezan por una letra o un dígito.",
    "no connection": "sin conexión",
    "no connection (%1)": "sin conexión (%1)",
    "%1 %2 → %3 · %4 ms": "%1 %2 → %3 · %4 ms",
    "Server to connect to: HOST, HOST:PORT or http://HOST:PORT (default port 3550).": "Servidor al que conectarse: HOST, HOST:PUERTO o http://HOST:PUERTO (puerto por omisión 3550).",
    "Your name, shown next to your messages (1 to 32 characters).": "Su nombre, que se muestra junto a sus mensajes (de 1 a 32 caracteres).",
    "Room to open first (default general).": "Sala que se abre primero (por omisión general).",
    "Milliseconds between checks for new messages, 100 to 600000.": "Milisegundos entre consultas de mensajes nuevos, de 100 a 600000.",
    "Language of the window: es or en (default: the system's).": "Idioma de la ventana: es o en (por omisión, el del sistema).",
    "Show this help and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "%1 needs a value.": "%1 necesita un valor.",
    "Unknown option '%1'.": "Opción desconocida '%1'.",
    "Server to connect to, as with --connect.": "Servidor al que conectarse, como con --connect.",
    "Its port, if not given with HOST.": "Su puerto, si no va con HOST.",
    "Usage: %1 [options] [HOST[:PORT] [PORT]]": "Uso: %1 [opciones] [HOST[:PUERTO] [PUERTO]]",
    "Opens a ChatApp window on a chat server; without a server, asks for one.": "Abre una ventana de ChatApp en un servidor de chat; sin servidor, pregunta por uno.",
    "Options:": "Opciones:",
    "Arguments:": "Argumentos:",
    "Qt's own options, such as -platform, -display, -style and -reverse, are passed on to Qt.": "Las opciones propias de Qt, como -platform, -display, -style y -reverse, se pasan a Qt.",
    "To host a chat instead, see %1 --serve --help.": "Para alojar un chat, vea %1 --serve --help.",
    "'%1' is not a server address; give HOST, HOST:PORT or http://HOST:PORT.": "'%1' no es una dirección de servidor; indique HOST, HOST:PUERTO o http://HOST:PUERTO.",
    "Too many arguments: expected at most HOST and PORT.": "Demasiados argumentos: se esperaban como mucho HOST y PUERTO.",
    "'%1' is not a port number (1 to 65535).": "'%1' no es un número de puerto (de 1 a 65535).",
    "'%1' already names a port; give the port only once.": "'%1' ya indica un puerto; indique el puerto una sola vez.",
    "'%1' is not a language ChatApp speaks; use --lang es or --lang en.": "ChatApp no habla '%1'; use --lang es o --lang en.",
    "Give the server either with --connect or as an argument, not both.": "Indique el servidor con --connect o como argumento, no de las dos formas.",
    "--name takes 1 to %1 characters, without line breaks or control characters.": "--name admite de 1 a %1 caracteres, sin saltos de línea ni caracteres de control.",
    "'%1' is not a room name: use up to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit.": "'%1' no es un nombre de sala: use hasta 64 letras minúsculas, dígitos, '-' y '_', empezando por una letra o un dígito.",
    "--poll-interval takes milliseconds from %1 to %2, not '%3'.": "--poll-interval admite milisegundos de %1 a %2, no '%3'.",
    "%1 (you)": "%1 (usted)",
    "Online (%1)": "En línea (%1)",
    "%1 is typing…": "%1 está escribiendo…",
    "%1 and %2 are typing…": "%1 y %2 están escribiendo…",
    "Several people are typing…": "Varias personas están escribiendo…",
    "&Rooms": "&Salas",
    "Rooms": "Salas",
    "Join or create a room": "Unirse o crear sala",
    "Room to join or create": "Sala a la que unirse o que crear",
    "&Join": "&Unirse",
    "Online": "En línea",
    "People online in this room": "Personas en línea en esta sala",
    "Messages": "Mensajes",
    "&Send": "&Enviar",
    "Send message": "Enviar mensaje",
    "Last HTTP exchange": "Último intercambio HTTP",
    "&Chat": "&Chat",
    "&Join or Create Room…": "&Unirse a una sala o crearla…",
    "Ctrl+K": "Ctrl+K",
    "&Write a Message": "&Escribir un mensaje",
    "Ctrl+L": "Ctrl+L",
    "&Quit": "&Salir",
    "&View": "&Ver",
    "&Protocol Panel": "Panel de &protocolo",
    "&Help": "A&yuda",
    "&About ChatApp": "&Acerca de ChatApp",
    "About ChatApp": "Acerca de ChatApp",
    "<p><b>ChatApp %1</b></p><p>A small group chat that speaks plain HTTP. Every send is a POST, every update a GET; the status bar and the Protocol panel show each exchange.</p>":
        "<p><b>ChatApp %1</b></p><p>Un pequeño chat de grupo que habla HTTP simple. Cada envío es un POST y cada actualización un GET; la barra de estado y el panel de protocolo muestran cada intercambio.</p>",
    "#%1 — %2 at %3 — ChatApp": "#%1 — %2 en %3 — ChatApp",
    "Not sent: %1": "No enviado: %1",
    "“%1” is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”, starting with a letter or digit.":
        "«%1» no es un nombre de sala: use de 1 a 64 letras minúsculas, dígitos, «-» o «_», empezando por una letra o un dígito.",
    "long poll": "long poll",
    "polling every %1 ms": "consulta cada %1 ms",
    "%1 at %2 · %3": "%1 en %2 · %3",
    "Offline: %1 does not answer; retrying in %2 s": "Sin conexión: %1 no responde; se reintenta en %2 s",
    "#%1  (%2)": "#%1  (%2)",
    "%n unread message(s)": ["%n mensaje sin leer", "%n mensajes sin leer"],
    "Messages not sent yet": "Mensajes aún sin enviar",
    "%n message(s) have not reached the server yet and will be lost if you quit. Quit anyway?": [
        "%n mensaje aún no ha llegado al servidor y se perderá si sale. ¿Salir de todos modos?",
        "%n mensajes aún no han llegado al servidor y se perderán si sale. ¿Salir de todos modos?"],
    "Today": "Hoy",
    "Yesterday": "Ayer",
    "Loading older messages…": "Cargando mensajes anteriores…",
    "This is the beginning of #%1.": "Este es el principio de #%1.",
    "waiting for the server…": "esperando al servidor…",
    "sending…": "enviando…",
    "No messages in #%1 yet. Say hello!": "Aún no hay mensajes en #%1. ¡Salude!",
    "Protocol": "Protocolo",
    "HTTP exchanges": "Intercambios HTTP",
    "Time": "Hora",
    "Method": "Método",
    "Path": "Ruta",
    "Status": "Estado",
    "Duration": "Duración",
    "%1 ms": "%1 ms",
    "Sign in with the first line of FILE when the server asks for a password, instead of asking; if it is wrong, the window asks.": "Inicia sesión con la primera línea de FILE cuando el servidor pide una contraseña, en lugar de preguntarla; si es incorrecta, la ventana la pregunta.",
    "Cannot read the password file '%1': %2.": "No se puede leer el archivo de contraseña '%1': %2.",
    "The password file '%1' is empty.": "El archivo de contraseña '%1' está vacío.",
    "The password in '%1' is longer than %2 characters.": "La contraseña de '%1' tiene más de %2 caracteres.",
    "Sign &In…": "&Iniciar sesión…",
    "Sign &Out": "&Cerrar sesión",
    "Signing in to %1…": "Iniciando sesión en %1…",
    "Not signed in: %1 needs a password (Chat ▸ Sign In…)": "Sin sesión: %1 pide una contraseña (Chat ▸ Iniciar sesión…)",
    "Not signed in: %1": "Sin sesión: %1",
    "waiting for you to sign in…": "esperando a que inicie sesión…",
    "Sign in": "Iniciar sesión",
    "&Password:": "&Contraseña:",
    "Password": "Contraseña",
    "&Remember on this computer": "&Recordar en este equipo",
    "Keeps the sign-in (not the password) so that the window does not ask again; Chat ▸ Sign Out ends it.": "Guarda la sesión (no la contraseña) para que la ventana no vuelva a preguntar; Chat ▸ Cerrar sesión la termina.",
    "Sign in to %1": "Iniciar sesión en %1",
    "%1 needs a password to let you chat.": "%1 pide una contraseña para dejarle chatear.",
    "&Sign In": "&Iniciar sesión",
    "The server no longer accepts your sign-in: it was ended, or the server's password changed.": "El servidor ya no acepta su sesión: se cerró, o la contraseña del servidor cambió.",
    "The server sent no token.": "El servidor no envió ningún token.",
    "ChatApp on %1": "ChatApp en %1",
    "A group chat over plain HTTP. This server runs version %1.": "Un chat de grupo sobre HTTP simple. Este servidor ejecuta la versión %1.",
    "Join the chat": "Unirse al chat",
    "Start ChatApp with this server's address and port:": "Abra ChatApp con la dirección y el puerto de este servidor:",
    "This server has a password: ask whoever runs it. The window asks for it when it connects.": "Este servidor tiene contraseña: pídasela a quien lo administra. La ventana se la pedirá al conectarse.",
    "Get ChatApp": "Obtener ChatApp",
    "For Linux on x86-64, one file of %1 that runs without installing:": "Para Linux en x86-64, un solo archivo de %1 que funciona sin instalar nada:",
    "Download %1": "Descargar %1",
    "Or in a terminal:": "O en una terminal:",
    "This server offers no download: it is not running from an AppImage. ChatApp's README says how to install it.": "Este servidor no ofrece descargas: no se ejecuta desde una AppImage. El README de ChatApp explica cómo instalarlo.",
    "API reference": "referencia de la API",
    "Write your own client": "Escribir su propio cliente",
    "Everything the window does is an HTTP request you can make yourself, for example with curl:": "Todo lo que hace la ventana es una petición HTTP que usted mismo puede hacer, por ejemplo con curl:",
    "The %1 describes every request and answer.": "La %1 describe cada petición y cada respuesta.",
    "The message is longer than %1 characters.": "El mensaje tiene más de %1 caracteres.",
    "The name is longer than %1 characters.": "El nombre tiene más de %1 caracteres.",
    "The message is larger than the server accepts.": "El mensaje es más grande de lo que acepta el servidor.",
    "The message or the name is empty.": "El mensaje o el nombre están vacíos.",
    "The message or the name holds characters the server does not accept.": "El mensaje o el nombre contienen caracteres que el servidor no acepta.",
    "That is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”.": "Ese no es un nombre de sala: use de 1 a 64 minúsculas, cifras, «-» o «_».",
    "The room does not exist on the server.": "La sala no existe en el servidor.",
    "Too many messages at once from this address; the server asks to wait a moment.": "Demasiados mensajes a la vez desde esta dirección; el servidor pide esperar un momento.",
    "The server cannot store messages right now; nothing was lost, and it will be tried again.": "El servidor no puede guardar mensajes ahora; no se ha perdido nada y se volverá a intentar.",
    "The server cannot read its messages right now.": "El servidor no puede leer sus mensajes ahora.",
    "The server's copy of this room is damaged; its operator must restart it.": "La copia de esta sala en el servidor está dañada; quien lo administra debe reiniciarlo.",
    "The server is full right now; try again shortly.": "El servidor está lleno ahora; vuelva a intentarlo en breve.",
    "The request took too long to reach the server.": "La petición tardó demasiado en llegar al servidor.",
    "The password is not right.": "La contraseña no es correcta.",
    "Too many wrong passwords from your address; try again in %1 s.": "Demasiadas contraseñas incorrectas desde su dirección; vuelva a intentarlo en %1 s.",
    "The server asks for its password.": "El servidor pide su contraseña.",
    "The server does not answer to this address; its operator can allow it with --allowed-host.": "El servidor no responde a esta dirección; quien lo administra puede permitirla con --allowed-host.",
    "The server refused a request made from another site.": "El servidor rechazó una petición hecha desde otro sitio.",
    "A retry of an earlier message did not match it; the message was not sent twice.": "Un reintento de un mensaje anterior no coincidía con él; el mensaje no se envió dos veces.",
    "Only the person who sent a message can change it, from the window it was sent from.": "Solo quien envió un mensaje puede cambiarlo, desde la ventana desde la que lo envió.",
    "The message was deleted.": "El mensaje fue eliminado.",
    "That is not a message that can be changed.": "Eso no es un mensaje que se pueda cambiar.",
    "The message you are replying to is not in this room.": "El mensaje al que respondes no está en esta sala.",
    "The server's copy of this room was reset; the room is loaded again.": "La copia de esta sala en el servidor se reinició; la sala se vuelve a cargar.",
    "The server said: %1": "El servidor dijo: %1",
    "&Next Room": "Sala si&guiente",
    "&Previous Room": "Sala &anterior",
    "%1 / %2": "%1 / %2",
    "%n character(s) too many: the server will refuse it.": [
        "%n carácter de más: el servidor lo rechazará.",
        "%n caracteres de más: el servidor lo rechazará."],
    "The server takes at most %1 characters.": "El servidor acepta como máximo %1 caracteres.",
    "&Keyboard Shortcuts": "A&tajos de teclado",
    "Keyboard Shortcuts": "Atajos de teclado",
    "Send the message": "Enviar el mensaje",
    "Enter": "Intro",
    "New line in the message": "Nueva línea en el mensaje",
    "Shift+Enter": "Mayús+Intro",
    "Connecting to %1…": "Conectando con %1…",
    "Nothing answers at %1: check the address and port (Chat ▸ Connect to Another Server…). Retrying in %2 s.": "Nada responde en %1: compruebe la dirección y el puerto (Chat ▸ Conectarse a otro servidor…). Nuevo intento en %2 s.",
    "Connect to Another &Server…": "Conectarse a otro &servidor…",
    "Ctrl+Shift+O": "Ctrl+Mayús+O",
    "Change &Name…": "Cambiar de &nombre…",
    "Jump to &Latest Message": "Ir al ú&ltimo mensaje",
    "Sign in to read #%1 (Chat ▸ Sign In…).": "Inicie sesión para leer #%1 (Chat ▸ Iniciar sesión…).",
    "The messages of #%1 appear here once %2 answers.": "Los mensajes de #%1 aparecerán aquí cuando %2 responda.",
    "Loading #%1…": "Cargando #%1…",
    "Sign In…": "Iniciar sesión…",
    "Connect to Another Server…": "Conectarse a otro servidor…",
    "%n message(s) have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?": [
        "%n mensaje aún no ha llegado a %1 y se perderá si se conecta a otro servidor. ¿Conectarse de todos modos?",
        "%n mensajes aún no han llegado a %1 y se perderán si se conecta a otro servidor. ¿Conectarse de todos modos?"],
    "Change Name": "Cambiar de nombre",
    "Your name, as others will see it:": "Su nombre, tal como lo verán los demás:",
    "“%1” cannot be a name: use 1 to %2 characters, without line breaks or control characters.": "«%1» no puede ser un nombre: use de 1 a %2 caracteres, sin saltos de línea ni caracteres de control.",
    "↓ %n new message(s)": ["↓ %n mensaje nuevo", "↓ %n mensajes nuevos"],
    "↓ Latest": "↓ Lo último",
    "Jump to the newest message (Ctrl+End)": "Ir al mensaje más reciente (Ctrl+Fin)",
    "&Copy Text": "&Copiar texto",
    "Copy &Link Address": "Copiar la dirección del &enlace",
    "New messages": "Mensajes nuevos",
    "%1, %2:": "%1, %2:",
    "#%1, %n unread, mentions you": ["#%1, %n sin leer, le mencionan", "#%1, %n sin leer, le mencionan"],
    "#%1, %n unread": ["#%1, %n sin leer", "#%1, %n sin leer"],
    "[… %n more byte(s) not kept]": ["[… %n byte más no guardado]", "[… %n bytes más no guardados]"],
    "(no answer: %1)": "(sin respuesta: %1)",
    "&File": "&Archivo",
    "Selected HTTP exchange": "Intercambio HTTP seleccionado",
    "Select an exchange to see its request and its answer.": "Seleccione un intercambio para ver su petición y su respuesta.",
    "&Export Protocol Log…": "&Exportar registro de protocolo…",
    "Save the exchanges as a HAR file, which browsers' developer tools open": "Guardar los intercambios en un fichero HAR, que abren las herramientas para desarrolladores de los navegadores",
    "Export Protocol Log": "Exportar registro de protocolo",
    "HTTP Archive (*.har);;All files (*)": "Archivo HTTP (*.har);;Todos los ficheros (*)",
    "Could not save %1: %2": "No se pudo guardar %1: %2",
    # Notifications (issue 14).
    "#%1 — %2": "#%1 — %2",
    "Open": "Abrir",
    "&Settings…": "C&onfiguración…",
    "Settings": "Configuración",
    "Show &desktop notifications": "Mostrar &notificaciones de escritorio",
    "Notify me when a message &mentions me": "Avisarme cuando un mensaje me &mencione",
    "&Flash the taskbar entry when the window is in the background": "Hacer &parpadear la entrada de la barra de tareas cuando la ventana esté en segundo plano",
    "Show the &unread count in the window title": "Mostrar el número de mensajes sin &leer en el título de la ventana",
    "&Rooms on this server:": "&Salas de este servidor:",
    "Every message": "Todos los mensajes",
    "Muted": "Silenciada",
    "A message mentions you when it holds your name, “%1”, as a word of its own, with or without @, in capitals or not.": "Un mensaje le menciona cuando contiene su nombre, «%1», como palabra aparte, con o sin @, en mayúsculas o no.",
    "Every message: each new message of the room notifies. Muted: the room notifies only when a message mentions you, and its unread messages are left out of the title's count.": "Todos los mensajes: cada mensaje nuevo de la sala avisa. Silenciada: la sala solo avisa cuando un mensaje le menciona, y sus mensajes sin leer no cuentan en el título.",
    "@room calls everyone in the room, so it can be sent only now and then: wait a little, or send the message without it.": "@room llama a todos los de la sala, así que solo se puede enviar de vez en cuando: espere un poco o envíe el mensaje sin él.",
    "&Find Messages…": "&Buscar mensajes…",
    "That message is further back in #%1 than the window goes (%2 pages); scroll up to read it.": "Ese mensaje está en #%1 más atrás de lo que la ventana carga (%2 páginas); suba para leerlo.",
    "Words to find; Enter searches.": "Palabras que buscar; Intro busca.",
    "The search failed: %1": "La búsqueda falló: %1",
    "Nothing holds “%1”.": "Ningún mensaje contiene «%1».",
    "%n message(s) found; Enter on one shows it in its room.": [
        "%n mensaje encontrado; Intro sobre él lo muestra en su sala.",
        "%n mensajes encontrados; Intro sobre uno lo muestra en su sala."],
    "Search": "Buscar",
    "Search messages": "Buscar mensajes",
    "Words to search for": "Palabras que buscar",
    "Only this &room": "Solo esta &sala",
    "Messages found": "Mensajes encontrados",
    "&More Results": "&Más resultados",
    "#%1 · %2: %3": "#%1 · %2: %3",
}

ENGLISH_PLURALS = {
    "%n message(s) found; Enter on one shows it in its room.": [
        "%n message found; Enter on it shows it in its room.",
        "%n messages found; Enter on one shows it in its room."],
    "%n message(s) have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?": [
        "%n message has not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?",
        "%n messages have not reached %1 yet and will be lost if you connect elsewhere. Connect anyway?"],
    "↓ %n new message(s)": ["↓ %n new message", "↓ %n new messages"],
    "%n unread message(s)": ["%n unread message", "%n unread messages"],
    "%n message(s) have not reached the server yet and will be lost if you quit. Quit anyway?": [
        "%n message has not reached the server yet and will be lost if you quit. Quit anyway?",
        "%n messages have not reached the server yet and will be lost if you quit. Quit anyway?"],
    "%n character(s) too many: the server will refuse it.": [
        "%n character too many: the server will refuse it.",
        "%n characters too many: the server will refuse it."],
    "[… %n more byte(s) not kept]": ["[… %n more byte not kept]", "[… %n more bytes not kept]"],
}


def fill(path, translate):
    tree = ET.parse(path)
    missing = []
    for message in tree.getroot().iter("message"):
        source = message.find("source").text
        translation = message.find("translation")
        wanted = translate(source)
        if wanted is None:
            missing.append(source)
            continue
        translation.attrib.pop("type", None)
        for child in list(translation):
            translation.remove(child)
        if message.get("numerus") == "yes":
            translation.text = None
            forms = wanted if isinstance(wanted, list) else [wanted, wanted]
            for form in forms:
                ET.SubElement(translation, "numerusform").text = form
        else:
            translation.text = wanted
    ET.indent(tree, space="    ")
    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        tree.write(out, encoding="utf-8", xml_declaration=False)
        out.write(b"\n")
    return missing


def main():
    missing = fill(ROOT / "translations/chatapp_es.ts", SPANISH.get)
    fill(ROOT / "translations/chatapp_en.ts", lambda s: ENGLISH_PLURALS.get(s, s))
    if missing:
        print("no Spanish for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
