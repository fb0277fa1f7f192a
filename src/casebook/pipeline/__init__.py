"""`casebook build`, in phases that each have their own module.

The flow runs one way: sources -> validated library -> generated Markdown and data ->
MkDocs -> site/.

- `sequence`: `build_site`, and the order of the phases for every edition;
- `manifest`: what the last builds produced, for the next to compare with;
- `context`: what a build is given (`BuildContext`), its errors and progress;
- `plan`: every output of an edition, by family, each with the key of its inputs;
- `related`: the related-cases cache the case pages' keys depend on;
- `generate`: writes the outdated outputs into an edition's docs folder;
- `guidance`: the guidance pages, translated or with a notice;
- `decide`: skip, copy, partial or full, for each edition's builder;
- `builder`: the MkDocs configuration of each edition, and its runs;
- `workers`: the builders and the hardening side by side on every core;
- `pdfs`, `indexing`: the worksheet PDFs and the search index, outputs of their own;
- `publish`: the journalled swap into `site/`, and the reachability check;
- `files`: writing, linking and comparing files without writing through a link.
"""
