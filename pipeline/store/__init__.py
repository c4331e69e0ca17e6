"""The snapshot store (I/O): every distinct page version once, content-addressed, with the change history.

``snapshots`` holds the store itself; ``moves`` moves the diff baseline write-ahead (logged in
``journal``, its changes appended to ``history``); ``runlock`` keeps one run at a time on a store;
``recovery`` finishes what a killed run left and rebuilds damaged state.
"""
