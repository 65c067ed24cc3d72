"""The built-in adapters: pure functions of a provider's cancel contract, no sending."""

from ..qstash._adapter import QStash
from ._airship import Airship
from ._braze import Braze
from ._brevo import Brevo
from ._cloudtasks import CloudTasks
from ._courier import Courier
from ._eventbridge import EventBridgeScheduler
from ._knock import Knock
from ._mailchimp import Mailchimp
from ._novu import Novu
from ._onesignal import OneSignal
from ._resend import Resend
from ._sendgrid import SendGrid
from ._sinch import Sinch
from ._slack import Slack
from ._twilio import Twilio

__all__ = [
    "BUILTIN",
    "Airship",
    "Brevo",
    "Braze",
    "CloudTasks",
    "Courier",
    "EventBridgeScheduler",
    "Knock",
    "Mailchimp",
    "Novu",
    "OneSignal",
    "QStash",
    "Resend",
    "SendGrid",
    "Sinch",
    "Slack",
    "Twilio",
]

# The one list of built-in providers: the registry, the CLI, the docs and the test kit read it.
BUILTIN = (
    QStash,
    OneSignal,
    Courier,
    Twilio,
    Resend,
    SendGrid,
    Knock,
    Novu,
    Airship,
    Brevo,
    Slack,
    Mailchimp,
    Sinch,
    Braze,
    EventBridgeScheduler,
    CloudTasks,
)
