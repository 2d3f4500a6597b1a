import pytest

from baoxiu.tickets.transitions import ticket_transition
from tests.factories import make_ticket


@pytest.fixture
def assigned_ticket(fault_type, dispatcher, technician):
    """A ticket the dispatcher has given to 李师傅."""
    ticket = make_ticket(fault_type=fault_type)
    return ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
