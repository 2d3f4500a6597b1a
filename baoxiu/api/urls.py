from ninja import NinjaAPI

api = NinjaAPI(title="baoxiu API", version="1", urls_namespace="api-v1")
