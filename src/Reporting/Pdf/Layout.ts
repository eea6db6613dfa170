/**
 * A small flow layout over a pdfkit document: a cursor that moves down the page, rows of
 * measured cells that never straddle a page break, paragraphs that flow onto the next page,
 * and page footers written once every page exists.
 */
import { type Coverage, breakLongWords } from "./Text.js"

export type Face = "regular" | "bold"

export interface Style {
  readonly face: Face
  readonly size: number
  readonly color: string
  readonly lineGap?: number
  readonly characterSpacing?: number
}

/** A piece of text in its own colour; the runs of one block share face and size. */
export interface Run {
  readonly text: string
  readonly color?: string
  readonly link?: string
}

/** One or more runs wrapped as one paragraph. */
export interface Block {
  readonly style: Style
  readonly runs: ReadonlyArray<Run>
}

export interface Cell {
  readonly x: number
  readonly width: number
  readonly blocks: ReadonlyArray<Block>
}

interface Measured {
  readonly runs: ReadonlyArray<Run>
  readonly height: number
}

export interface FontFiles {
  readonly regular: string
  readonly bold: string
}

/** The names the document's fonts are registered under (`doc.registerFont`). */
export interface Fonts {
  readonly regular: string
  readonly bold: string
}

export const A4 = { width: 595.28, height: 841.89 } as const
export const MARGIN = { top: 48, bottom: 58, left: 50, right: 50 } as const
export const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right

const BLOCK_GAP = 1.5

export const block = (style: Style, ...runs: ReadonlyArray<Run | string>): Block => ({
  style,
  runs: runs.map((r) => (typeof r === "string" ? { text: r } : r)).filter((r) => r.text !== "")
})

export class PageWriter {
  y: number = MARGIN.top
  readonly left = MARGIN.left
  readonly right = A4.width - MARGIN.right
  readonly bottom = A4.height - MARGIN.bottom
  /** Drawn at the top of a page this writer starts (a table's header row). */
  private carryOver: (() => void) | undefined

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly fonts: Fonts,
    readonly covers: Coverage
  ) {}

  use(style: Style): void {
    this.doc.font(style.face === "bold" ? this.fonts.bold : this.fonts.regular).fontSize(style.size)
  }

  private options(style: Style, width: number): PDFKit.Mixins.TextOptions {
    return { width, lineGap: style.lineGap ?? 1, characterSpacing: style.characterSpacing ?? 0 }
  }

  /** Blocks measured at a width: a row measures, then draws, the same blocks. */
  private readonly measured = new WeakMap<Block, Map<number, Measured>>()

  /** The block's runs with every over-wide word broken (see `breakLongWords`), and its height. */
  private measure(b: Block, width: number): Measured {
    const byWidth = this.measured.get(b) ?? new Map<number, Measured>()
    this.measured.set(b, byWidth)
    const known = byWidth.get(width)
    if (known !== undefined) return known
    this.use(b.style)
    const spacing = { characterSpacing: b.style.characterSpacing ?? 0 }
    const widthOf = (text: string) => this.doc.widthOfString(text, spacing)
    const runs = b.runs.map((r) => ({ ...r, text: breakLongWords(r.text, width, b.style.size, widthOf) }))
    const height = runs.length === 0 ? 0 : this.doc.heightOfString(runs.map((r) => r.text).join(""), this.options(b.style, width))
    const result = { runs, height }
    byWidth.set(width, result)
    return result
  }

  widthOf(text: string, style: Style): number {
    this.use(style)
    return this.doc.widthOfString(text, { characterSpacing: style.characterSpacing ?? 0 })
  }

  blockHeight(b: Block, width: number): number {
    return this.measure(b, width).height
  }

  cellHeight(cell: Cell): number {
    const heights = cell.blocks.map((b) => this.blockHeight(b, cell.width)).filter((h) => h > 0)
    return heights.reduce((sum, h) => sum + h, 0) + BLOCK_GAP * Math.max(0, heights.length - 1)
  }

  /** Draws a block in a box of the measured height: the wrapper can never start a page by itself. */
  private drawBlock(b: Block, x: number, y: number, width: number, height: number): void {
    const { runs } = this.measure(b, width)
    this.use(b.style)
    runs.forEach((run, i) => {
      this.doc.fillColor(run.color ?? b.style.color)
      // A continued run inherits the options of the one before it, a link too: say "none".
      const options = {
        ...this.options(b.style, width),
        height: height + 1,
        continued: i < runs.length - 1,
        link: run.link ?? null
      }
      if (i === 0) this.doc.text(run.text, x, y, options)
      else this.doc.text(run.text, options)
    })
  }

  /** Draws a cell's blocks from `y` down; nothing below the bottom margin (it cannot happen
   * with the field caps of a brief, but a page is never overrun). */
  drawCell(cell: Cell, y: number): void {
    let top = y
    for (const b of cell.blocks) {
      const h = this.blockHeight(b, cell.width)
      const room = this.bottom - top
      if (h === 0 || room < 1) continue
      this.drawBlock(b, cell.x, top, cell.width, Math.min(h, room))
      top += h + BLOCK_GAP
    }
  }

  newPage(): void {
    this.doc.addPage()
    this.y = MARGIN.top
    this.carryOver?.()
  }

  /** Starts a new page unless `height` fits below the cursor. */
  ensure(height: number): void {
    if (this.y + height > this.bottom && this.y > MARGIN.top) this.newPage()
  }

  gap(height: number): void {
    this.y = Math.min(this.y + height, this.bottom)
  }

  /** Cells side by side, kept together on one page; returns the row's height. */
  row(cells: ReadonlyArray<Cell>, padding = 0): number {
    const height = Math.max(0, ...cells.map((c) => this.cellHeight(c))) + 2 * padding
    this.ensure(height)
    cells.forEach((c) => this.drawCell(c, this.y + padding))
    this.y = Math.min(this.y + height, this.bottom)
    return height
  }

  /** Text over the full width that may flow onto the next pages (a long summary). */
  paragraph(b: Block, width = CONTENT_WIDTH): void {
    if (b.runs.length === 0) return
    this.use(b.style)
    this.ensure(2 * this.doc.currentLineHeight(true))
    const { runs } = this.measure(b, width)
    this.use(b.style)
    runs.forEach((run, i) => {
      this.doc.fillColor(run.color ?? b.style.color)
      const options = { ...this.options(b.style, width), continued: i < runs.length - 1 }
      if (i === 0) this.doc.text(run.text, this.left, this.y, options)
      else this.doc.text(run.text, options)
    })
    // pdfkit's own page breaks start new pages at the same top margin.
    this.y = this.doc.y
  }

  rule(color: string, weight = 0.5, y = this.y): void {
    this.doc.save().moveTo(this.left, y).lineTo(this.right, y).lineWidth(weight).strokeColor(color).stroke().restore()
  }

  fillRect(x: number, y: number, width: number, height: number, color: string, radius = 0): void {
    this.doc.save()
    if (radius > 0) this.doc.roundedRect(x, y, width, height, radius)
    else this.doc.rect(x, y, width, height)
    this.doc.fill(color).restore()
  }

  /** Runs `draw` on every page this writer starts while `during` runs. */
  repeating<A>(draw: () => void, during: () => A): A {
    const previous = this.carryOver
    this.carryOver = draw
    try {
      return during()
    } finally {
      this.carryOver = previous
    }
  }

  /** Once everything is drawn: `draw(page, pages)` on every page, below the bottom margin. */
  footers(draw: (page: number, pages: number) => void): void {
    const { start, count } = this.doc.bufferedPageRange()
    for (let i = start; i < start + count; i++) {
      this.doc.switchToPage(i)
      const margins = this.doc.page.margins
      const bottom = margins.bottom
      margins.bottom = 0
      draw(i - start + 1, count)
      margins.bottom = bottom
    }
  }

  /** `text`, cut with "…" until it is at most `width` wide. */
  fitWidth(text: string, width: number, style: Style): string {
    if (this.widthOf(text, style) <= width) return text
    const chars = Array.from(text)
    let lo = 0
    let hi = chars.length
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (this.widthOf(`${chars.slice(0, mid).join("")}…`, style) <= width) lo = mid
      else hi = mid - 1
    }
    return `${chars.slice(0, lo).join("").trimEnd()}…`
  }

  /** One line, cut to `width`: for footers and labels. */
  label(text: string, x: number, y: number, width: number, style: Style, align: "left" | "right" = "left"): void {
    const line = this.fitWidth(text, width, style)
    this.use(style)
    this.doc.fillColor(style.color).text(line, x, y, {
      width,
      align,
      lineBreak: false,
      height: this.doc.currentLineHeight(true) + 1,
      characterSpacing: style.characterSpacing ?? 0
    })
  }
}
