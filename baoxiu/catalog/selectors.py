from django.db.models import QuerySet

from baoxiu.catalog.models import FaultType, LockModel


def fault_types_active() -> QuerySet[FaultType]:
    return FaultType.objects.filter(active=True).prefetch_related("required_skills")


def lock_models_active() -> QuerySet[LockModel]:
    return LockModel.objects.filter(active=True)
