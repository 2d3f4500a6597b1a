from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def report(request):
    return HttpResponse("")


def track(request, code, token):
    return HttpResponse("")
