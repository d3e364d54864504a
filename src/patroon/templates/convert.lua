-- Converts many reports in one pandoc process: `pandoc lua convert.lua JOB.json` (see patroon/pandoc_batch.py).
-- Each document is read once; HTML and Typst markup are written from the same AST, with the options the
-- command line would get from `--standalone --toc --toc-depth=2 --section-divs --metadata=lang:..`.

local function read_file(path)
  local handle = assert(io.open(path, 'r'))
  local text = handle:read('a')
  handle:close()
  return text
end

local function write_file(path, text)
  local handle = assert(io.open(path, 'w'))
  handle:write(text)
  handle:close()
end

local job = pandoc.json.decode(read_file(arg[1]), false)
local html_template = pandoc.template.compile(pandoc.template.default('html5'))
local typst_template = pandoc.template.compile(pandoc.template.default('typst'))
local header = '<style>\n' .. read_file(job.css) .. '\n</style>\n'

for _, document in ipairs(job.documents) do
  -- No `smart`: quotes and dashes in case files stay as typed (see escape.py).
  local doc = pandoc.read(read_file(document.input), 'markdown-smart')
  doc.meta.lang = job.language
  if document.html then
    write_file(document.html, pandoc.write(doc, 'html5', {
      template = html_template, table_of_contents = true, toc_depth = 2, section_divs = true,
      variables = {['header-includes'] = header},
    }))
  end
  if document.typst then
    write_file(document.typst, pandoc.write(doc, 'typst', {
      template = typst_template, table_of_contents = true, toc_depth = 2, variables = {fontsize = '10pt'},
    }))
  end
end
