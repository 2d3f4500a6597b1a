import pytest

from baoxiu.quotes.payments.fake import FakePaymentProvider
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import make_price_list, make_ticket


@pytest.fixture(autouse=True)
def _fake_payments():
    FakePaymentProvider.reset()
    yield
    FakePaymentProvider.reset()


@pytest.fixture
def price_list(fault_type):
    return make_price_list(fault_types=[fault_type])


@pytest.fixture
def on_site(fault_type, technician, dispatcher, price_list):
    """A ticket whose technician has just arrived, with a price list in force."""
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart", "arrive"):
        ticket = ticket_transition(ticket=ticket, action=action, actor=technician.user)
    return ticket
