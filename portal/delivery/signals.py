"""What happens on a delivery round that other features react to."""

from blinker import Namespace

_signals = Namespace()

# Every door of a round was marked (delivered, no answer or refused): sent once the last marking
# is saved, with the DeliveryRound, runner= the person who ran it and now= (naive UTC). A door
# corrected afterwards sends it again.
round_completed = _signals.signal("delivery-round-completed")
