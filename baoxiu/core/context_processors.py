from baoxiu.accounts.selectors import organisation_profile


def organisation(request):
    return {"organisation": organisation_profile()}
