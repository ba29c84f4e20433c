#pragma once

class Directory;
class Poller;

// How the poller and the directory share room activity (issue 14): the directory's
// listing gives the poller its rooms_seq baseline; the rooms the poll reports changed,
// and its first answer in a room, tell the directory when the members are worth asking
// for again. One place, so that the window and the tests wire it the same way. The
// rooms themselves (Poller::roomsChanged) are for whoever shows the list.
void linkRoomActivity(Poller *poller, Directory *directory);
