"""Where other features meet help requests: what happens to a request that they react to."""

from blinker import Namespace

_signals = Namespace()

# A request was marked done: sent once the change is saved, with the HelpRequest, by= the person
# who did it (the holder: a grid worker or a volunteer) and now= (naive UTC). Sent again if a
# reopened request is done once more.
request_resolved = _signals.signal("help-request-resolved")
