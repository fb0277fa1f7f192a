"""The library as pages and the small formats they link to: shared settings and Jinja, safe
Markdown, the generated Markdown of every page, the finder's data, the evidence map,
citations, structured data, feeds, worksheets and the session composer.
"""
