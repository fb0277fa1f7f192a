"""What is made from built HTML or beside it: PDFs, the search index, the hardening of
built pages and their script policy, images without metadata, pages as offline files hold them.
"""
