#include "payload.h"   // first: see there

#include "extract.h"

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Payload permissions without set-user-ID and set-group-ID: a copy made by root must not
// hand anyone root's rights through a file of the payload.
static mode_t safe_mode(mode_t mode) { return mode & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX); }

struct folder {
    mode_t mode;
    uint32_t mtime;
    bool made;
};

struct extraction {
    sqfs *fs;
    int destination;          // descriptor of the destination folder
    const char *destination_name;
    const char *pattern;
    bool list;
    char *buffer;
    size_t buffer_size;
    // The folders we are inside, so that their own permissions are set when we leave
    // them: a read-only folder set at once would refuse the files that go into it.
    struct folder *folders;
    size_t depth, capacity;
};

static bool fail(const char *path, const char *what)
{
    say("cannot extract %s: %s: %s", path, what, strerror(errno));
    return false;
}

// mkdir -p for the folders above path, as plain 0755 folders: the pattern chose
// something inside them, not them.
static bool make_parents(struct extraction *x, const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return fail(path, "out of memory");
    for (char *slash = strchr(copy, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdirat(x->destination, copy, 0755) != 0 && errno != EEXIST) {
            bool result = fail(copy, "mkdir");
            free(copy);
            return result;
        }
        *slash = '/';
    }
    free(copy);
    return true;
}

static bool replace_existing(struct extraction *x, const char *path)
{
    if (unlinkat(x->destination, path, 0) != 0 && errno != ENOENT)
        return fail(path, "remove the existing file");
    return true;
}

static void set_time(struct extraction *x, const char *path, uint32_t mtime, int flags)
{
    struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = mtime } };
    utimensat(x->destination, path, times, flags);
}

static bool copy_file(struct extraction *x, const char *path, sqfs_inode *inode)
{
    if (!replace_existing(x, path))
        return false;
    int out = openat(x->destination, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (out < 0)
        return fail(path, "create");

    uint64_t size = inode->xtra.reg.file_size, done = 0;
    bool ok = true;
    while (ok && done < size) {
        sqfs_off_t chunk = (sqfs_off_t)(size - done < x->buffer_size ? size - done : x->buffer_size);
        if (sqfs_read_range(x->fs, inode, (sqfs_off_t)done, &chunk, x->buffer) != SQFS_OK || chunk <= 0) {
            errno = EIO;
            ok = fail(path, "read from the payload");
        } else if (!write_all(out, x->buffer, (size_t)chunk)) {
            ok = fail(path, "write");
        } else {
            done += (uint64_t)chunk;
        }
    }
    if (ok && fchmod(out, safe_mode(inode->base.mode)) != 0)
        ok = fail(path, "chmod");
    if (ok) {
        struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = inode->base.mtime } };
        futimens(out, times);
    }
    if (close(out) != 0 && ok)
        ok = fail(path, "write");
    return ok;
}

static bool copy_link(struct extraction *x, const char *path, sqfs_inode *inode)
{
    size_t size = inode->xtra.symlink_size + 1;
    char *target = malloc(size);
    if (!target)
        return fail(path, "out of memory");
    bool ok = sqfs_readlink(x->fs, inode, target, &size) == SQFS_OK;
    if (!ok) {
        errno = EIO;
        fail(path, "read from the payload");
    } else if ((ok = replace_existing(x, path)) && symlinkat(target, x->destination, path) != 0) {
        ok = fail(path, "symlink");
    }
    free(target);
    if (ok)
        set_time(x, path, inode->base.mtime, AT_SYMLINK_NOFOLLOW);
    return ok;
}

static bool enter_folder(struct extraction *x, const char *path, sqfs_inode *inode, bool wanted)
{
    if (x->depth == x->capacity) {
        size_t capacity = x->capacity ? x->capacity * 2 : 16;
        struct folder *grown = realloc(x->folders, capacity * sizeof *grown);
        if (!grown)
            return fail(path, "out of memory");
        x->folders = grown;
        x->capacity = capacity;
    }
    struct folder *folder = &x->folders[x->depth++];
    *folder = (struct folder){ .mode = safe_mode(inode->base.mode), .mtime = inode->base.mtime };
    if (!wanted)
        return true;
    if (mkdirat(x->destination, path, S_IRWXU) != 0) {
        struct stat existing;
        if (errno != EEXIST || fstatat(x->destination, path, &existing, AT_SYMLINK_NOFOLLOW) != 0
            || !S_ISDIR(existing.st_mode))
            return fail(path, "mkdir");
        fchmodat(x->destination, path, S_IRWXU, 0);
    }
    folder->made = true;
    return true;
}

static void leave_folder(struct extraction *x, const char *path)
{
    if (x->depth == 0)
        return;
    struct folder *folder = &x->folders[--x->depth];
    if (folder->made) {
        fchmodat(x->destination, path, folder->mode, 0);
        set_time(x, path, folder->mtime, 0);
    }
}

static bool extract_entry(struct extraction *x, const char *path, sqfs_inode *inode)
{
    // FNM_LEADING_DIR: "usr/lib" also matches "usr/lib/libx.so".
    bool wanted = !x->pattern || fnmatch(x->pattern, path, FNM_LEADING_DIR) == 0;
    mode_t type = inode->base.mode & S_IFMT;

    if (wanted && x->pattern && !make_parents(x, path))
        return false;
    if (type == S_IFDIR) {
        if (!enter_folder(x, path, inode, wanted))
            return false;
        if (wanted && x->list)
            printf("%s/%s\n", x->destination_name, path);
        return true;
    }
    if (!wanted)
        return true;

    bool ok;
    if (type == S_IFREG) {
        ok = copy_file(x, path, inode);
    } else if (type == S_IFLNK) {
        ok = copy_link(x, path, inode);
    } else {
        // Devices, pipes and sockets have no place in an AppDir.
        say("skipping %s: not a file, folder or symbolic link", path);
        return true;
    }
    if (ok && x->list)
        printf("%s/%s\n", x->destination_name, path);
    return ok;
}

bool extract_payload(const char *image, uint64_t offset, const char *destination,
                     const char *pattern, bool list)
{
    char why[1024];
    sqfs fs;
    if (!payload_open(&fs, image, offset, why, sizeof why)) {
        say("%s", why);
        return false;
    }
    if (mkdir(destination, 0755) != 0 && errno != EEXIST) {
        say("cannot make %s: %s", destination, strerror(errno));
        payload_close(&fs);
        return false;
    }
    struct extraction x = {
        .fs = &fs,
        .destination = open(destination, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
        .destination_name = destination,
        .pattern = pattern,
        .list = list,
        // Whole payload blocks at a time, so that each is decompressed once.
        .buffer_size = (size_t)fs.sb.block_size * 8,
    };
    x.buffer = malloc(x.buffer_size);
    bool ok = x.destination >= 0 && x.buffer;
    if (!ok)
        say("cannot extract to %s: %s", destination, strerror(errno));

    sqfs_traverse walk;
    sqfs_err error = SQFS_OK;
    if (ok && sqfs_traverse_open(&walk, &fs, sqfs_inode_root(&fs)) != SQFS_OK) {
        say("cannot read the payload's root folder");
        ok = false;
    } else if (ok) {
        while (ok && sqfs_traverse_next(&walk, &error)) {
            // At a folder's end, walk.path is that folder again.
            if (walk.dir_end) {
                leave_folder(&x, walk.path);
                continue;
            }
            sqfs_inode inode;
            if (sqfs_inode_get(&fs, &inode, walk.entry.inode) != SQFS_OK) {
                say("cannot read %s from the payload", walk.path);
                ok = false;
                break;
            }
            ok = extract_entry(&x, walk.path, &inode);
        }
        if (ok && error != SQFS_OK) {
            say("cannot read the payload's folders");
            ok = false;
        }
        sqfs_traverse_close(&walk);
    }

    free(x.folders);
    free(x.buffer);
    if (x.destination >= 0)
        close(x.destination);
    payload_close(&fs);
    if (fflush(stdout) != 0)
        ok = false;
    return ok;
}
