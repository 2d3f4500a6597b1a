"""Build-time generator of ``baoxiu/areas/data`` (run by ``make areas-data``).

Nothing here runs inside the application: the web app and the resolver read
the committed TSV files. The build reads pinned archives downloaded into
``var/areas-build/dl`` and needs shapely, which only the build venv has.
"""
