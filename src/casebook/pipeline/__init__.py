"""`casebook build` (and the preview), in phases that each have their own module.

The flow runs one way: sources -> validated library -> generated Markdown and data ->
MkDocs -> site/.

- `sequence`: `run`, the one order of the phases for `casebook build` and `casebook serve`
  (their `Options` say what a preview leaves out);
- `assemble`: the editions phase: plan, generate and build each edition, swap them in;
- `context`: what a build is given (`BuildContext`), its errors and progress;
- `manifest`: what the last builds produced, for the next to compare with;
- `plan`, `families`: an output and its key; each family of outputs in its own module,
  declaring what each file is made from where it makes it;
- `generate`: writes the outdated outputs into an edition's docs folder;
- `guidance`: the guidance pages, translated or with a notice;
- `decide`: skip, copy, partial or full, for each edition's builder;
- `builder`: the MkDocs configuration of each edition, and its runs;
- `workers`: the builders and the hardening side by side on every core;
- `pdfs`, `indexing`: the worksheet PDFs and the search index, outputs of their own;
- `publish`: the journalled swap into `site/`, and the reachability check;
- `files`: writing, linking and comparing files without writing through a link;
- `lock`: one build at a time in a project;
- `zim`: `build --zim`, each edition of the finished site as a file for Kiwix.
"""
