-- Converts many reports in one pandoc process: `pandoc lua convert.lua JOB.json` (see patroon/pandoc_batch.py).
-- Each document is read once; HTML and Typst markup are written from the same AST, with the options the
-- command line would get from `--standalone --toc --toc-depth=2 --section-divs --number-sections
-- --metadata=lang:..`, and the Typst page options the document's `format: typst:` front matter gives Quarto.
--
-- Numbering and cross-references follow Quarto's syntax, so that both renderers give the same numbers:
-- a table captioned `: Caption {#tbl-x}` and a figure `![Caption](f.svg){#fig-x}` are numbered in order
-- of appearance, tables and figures apart, and `@tbl-x` / `@fig-x` in the text become "Tabel 3" /
-- "Figure 2" (HTML: a link; Typst: a native reference, numbered by Typst itself).

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

-- The words Quarto 1.7 uses (its _language-nl.yml / _language.yml: crossref-tbl-title, crossref-fig-title).
local FLOAT_NAMES = {
  nl = { tbl = 'Tabel', fig = 'Figuur' },
  en = { tbl = 'Table', fig = 'Figure' },
}

local job = pandoc.json.decode(read_file(arg[1]), false)
local html_template = pandoc.template.compile(pandoc.template.default('html5'))
local typst_template = pandoc.template.compile(pandoc.template.default('typst'))
local header = '<style>\n' .. read_file(job.css) .. '\n</style>\n'
local stringify = pandoc.utils.stringify

local function kind_of(identifier)
  return identifier:match('^(tbl)%-') or identifier:match('^(fig)%-')
end

-- Numbers of the labelled tables and figures, in document order.
local function float_numbers(doc)
  local counts, numbers = { tbl = 0, fig = 0 }, {}
  local function count(element)
    local kind = kind_of(element.identifier or '')
    if kind and not numbers[element.identifier] then
      counts[kind] = counts[kind] + 1
      numbers[element.identifier] = counts[kind]
    end
  end
  doc:walk { traverse = 'topdown', Table = count, Figure = count }
  return numbers
end

local function prefix_caption(caption, text)
  local blocks = caption.long
  if #blocks == 0 then
    caption.long = { pandoc.Plain { pandoc.Str(text) } }
  else
    local first = blocks[1]
    first.content:insert(1, pandoc.Space())
    first.content:insert(1, pandoc.Str(text))
  end
  return caption
end

-- HTML: the numbers are written into captions and references, as Quarto's HTML does.
local function html_crossrefs(doc, names, numbers)
  local function caption(element)
    local kind = kind_of(element.identifier or '')
    if kind then
      element.caption = prefix_caption(element.caption, names[kind] .. ' ' .. numbers[element.identifier] .. ':')
      return element
    end
  end
  return doc:walk {
    Table = caption,
    Figure = caption,
    Cite = function(cite)
      local id = cite.citations[1].id
      local kind = kind_of(id)
      if kind and numbers[id] then
        return pandoc.Link(names[kind] .. '\u{a0}' .. numbers[id], '#' .. id)
      end
    end,
  }
end

-- Typst numbers its figures itself (tables and images separately, as Quarto does): references stay references.
local function typst_crossrefs(doc)
  return doc:walk {
    Cite = function(cite)
      local id = cite.citations[1].id
      if kind_of(id) then
        return pandoc.RawInline('typst', '@' .. id)
      end
    end,
  }
end

-- Quarto's call-outs (`::: {.callout-note}`, the key findings) as Quarto's Typst shows them: a tinted box
-- with a rule on the left. HTML keeps the div; report.css styles it.
local function typst_callouts(doc)
  return doc:walk {
    Div = function(div)
      for _, class in ipairs(div.classes) do
        if class:match('^callout%-') then
          local blocks = pandoc.List {
            pandoc.RawBlock('typst', '#block(width: 100%, fill: rgb("#eef4fa"), inset: 8pt, radius: 2pt, '
              .. 'stroke: (left: 3pt + rgb("#2b5f8a")))[') }
          blocks:extend(div.content)
          blocks:insert(pandoc.RawBlock('typst', ']'))
          return blocks
        end
      end
    end,
  }
end

local function meta_flag(meta, key, default)
  if meta[key] == nil then return default end
  return meta[key] == true or stringify(meta[key]) == 'true'
end

-- `format: typst:` options of the front matter that pandoc's Typst template also knows.
local function typst_variables(meta)
  local variables = { fontsize = '10pt', ['page-numbering'] = '1' }
  local typst = meta.format and meta.format.typst
  if type(typst) == 'table' then
    for _, key in ipairs { 'papersize', 'fontsize', 'section-numbering', 'page-numbering' } do
      if typst[key] ~= nil then variables[key] = stringify(typst[key]) end
    end
    if type(typst.margin) == 'table' then
      variables.margin = {}
      for key, value in pairs(typst.margin) do variables.margin[key] = stringify(value) end
    end
  end
  return variables
end

for _, document in ipairs(job.documents) do
  -- No `smart`: quotes and dashes in case files stay as typed (see escape.py); the documents say
  -- `from: markdown-smart` for Quarto too.
  local doc = pandoc.read(read_file(document.input), 'markdown-smart')
  doc.meta.lang = job.language
  local names = FLOAT_NAMES[job.language] or FLOAT_NAMES.en
  local numbered = meta_flag(doc.meta, 'number-sections', false)
  local depth = tonumber(stringify(doc.meta['toc-depth'] or '2')) or 2
  local numbers = float_numbers(doc)
  if document.html then
    write_file(document.html, pandoc.write(html_crossrefs(doc, names, numbers), 'html5', {
      template = html_template, table_of_contents = true, toc_depth = depth, section_divs = true,
      number_sections = numbered, wrap_text = 'wrap-none', variables = {['header-includes'] = header},
    }))
  end
  if document.typst then
    local variables = typst_variables(doc.meta)
    if not numbered then variables['section-numbering'] = nil end
    write_file(document.typst, pandoc.write(typst_callouts(typst_crossrefs(doc)), 'typst', {
      template = typst_template, table_of_contents = true, toc_depth = depth, variables = variables,
    }))
  end
end
