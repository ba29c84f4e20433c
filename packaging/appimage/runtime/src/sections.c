// Room that tools outside this build fill in later, in the finished AppImage file, as the
// AppImage specification names it: update information (e.g. "zsync|https://.../X.zsync"),
// a detached OpenPGP signature of the file and the key to check it with. All zeros means
// none. `used` keeps the compiler and `retain` keeps --gc-sections from dropping them,
// since no code refers to them: the runtime reads them back from its own file (elf.c).
#define RESERVED(name, section_name, size) \
    __attribute__((used, retain, section(section_name), aligned(1))) \
    static const char name[size] = { 0 }

RESERVED(update_information, ".upd_info", 1024);
RESERVED(signature, ".sha256_sig", 1024);
RESERVED(signature_key, ".sig_key", 8192);
