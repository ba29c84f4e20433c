#include "roomactivitylink.h"

#include "directory.h"
#include "poller.h"

void linkRoomActivity(Poller *poller, Directory *directory)
{
    QObject::connect(directory, &Directory::roomsBaseline, poller, &Poller::setRoomsSince);
    QObject::connect(poller, &Poller::roomsChanged, directory, &Directory::roomsChanged);
    QObject::connect(poller, &Poller::joined, directory, &Directory::joined);
}
