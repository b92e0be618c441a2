// The legend in the canvas's corner: what italic shape labels mean (shapes inference gives, not the file)
// when the view has any, and the dimension aliases (`d0 = p2o.DynamicDimension.0`), once for the whole
// view, listing only the aliases the labels on screen use. Hidden when it has nothing to say.

/** At most this many lines; the rest is counted. */
const SHOWN = 8;

export class DimLegend {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'dim-legend';
    this.element.setAttribute('role', 'note');
    this.element.setAttribute('aria-label', 'Legend');
    this.element.hidden = true;
  }

  /** `inferred`: some label shows a shape from inference. */
  show(aliases: ReadonlyArray<[string, string]>, inferred = false): void {
    const box = this.element;
    box.replaceChildren();
    box.hidden = aliases.length === 0 && !inferred;
    if (inferred) {
      const line = document.createElement('div');
      line.className = 'inferred-key';
      const sample = document.createElement('span');
      sample.textContent = 'italic';
      // As the canvas draws them (renderer.ts): italics in the inlay-hint colour.
      sample.style.fontStyle = 'italic';
      sample.style.color = 'var(--vscode-editorInlayHint-typeForeground, var(--vscode-editorInlayHint-foreground, var(--vscode-descriptionForeground)))';
      line.append(sample, document.createTextNode(' shapes: inferred'));
      line.title = 'Shapes in italics come from shape inference: the file declares none, or less. Hover an edge to see both.';
      box.append(line);
    }
    for (const [alias, name] of aliases.slice(0, SHOWN)) {
      const line = document.createElement('div');
      const a = document.createElement('span');
      a.className = 'alias';
      a.textContent = alias;
      line.append(a, document.createTextNode(` = ${name}`));
      line.title = name;
      box.append(line);
    }
    if (aliases.length > SHOWN) {
      const more = document.createElement('div');
      more.className = 'more';
      more.textContent = `… ${aliases.length - SHOWN} more`;
      more.title = aliases.slice(SHOWN).map(([a, n]) => `${a} = ${n}`).join('\n');
      box.append(more);
    }
  }
}
