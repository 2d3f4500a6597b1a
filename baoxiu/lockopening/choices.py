from django.db import models
from django.utils.translation import gettext_lazy as _


class WitnessRule(models.TextChoices):
    NONE = "none", _("不要求")
    WITNESS = "witness", _("须有见证人（物业或邻居）")
    POLICE = "police", _("须公安到场或备案")
    EITHER = "either", _("见证人或公安备案均可")


class WitnessKind(models.TextChoices):
    WITNESS = "witness", _("见证人")
    POLICE = "police", _("公安")
