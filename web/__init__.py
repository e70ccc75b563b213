"""The web board (看板): server-rendered, read-only pages of the plan for leadership and units.

A door like the chat channels: it reads through storage's query layer and the reports, and
holds no rule of its own. `web.app.build_web_routes` mounts it on an aiohttp application.
"""
