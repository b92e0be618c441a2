// The legend of dimension aliases in the canvas's corner: `d0 = p2o.DynamicDimension.0`, once for the
// whole view, listing only the aliases the labels on screen use. Hidden when there are none.

/** At most this many lines; the rest is counted. */
const SHOWN = 8;

export class DimLegend {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'dim-legend';
    this.element.setAttribute('role', 'note');
    this.element.setAttribute('aria-label', 'Dimension names');
    this.element.hidden = true;
  }

  show(aliases: ReadonlyArray<[string, string]>): void {
    const box = this.element;
    box.replaceChildren();
    box.hidden = aliases.length === 0;
    if (!aliases.length) return;
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
