/** The inline stylesheet of report.html. */
export const HTML_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 36px; } h2 small { color: #777; font-weight: normal; font-size: 14px; }
.meta { color: #555; } code { font-size: 12px; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { border-bottom: 1px solid #eee; padding: 3px 10px; text-align: left; vertical-align: middle; }
thead th { border-bottom: 2px solid #ccc; } tr.sig td { font-weight: 600; }
figure { margin: 12px 0; } figcaption { color: #666; font-size: 12px; }
.sweeps, .curves { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; } .sweeps figcaption, .curves figcaption { flex-basis: 100%; }
svg.chart { font-size: 11px; overflow: visible; } svg .grid { stroke: #eee; } svg .axis { stroke: #999; } svg .tick { fill: #666; }
svg .axis-label { fill: #444; font-size: 12px; } svg .row-label { fill: #333; } svg .value { fill: #555; font-size: 10px; }
svg .ci-bar, svg .err-bar { stroke-width: 2.5; } svg .chance { stroke: #999; stroke-width: 1; } svg .acc-point { stroke-width: 2; }
svg .series-line { fill: none; stroke-width: 2; } svg .legend text { fill: #333; }
figure.example { display: inline-flex; flex-direction: column; align-items: center; margin: 0; } figure.example figcaption { max-width: 160px; text-align: center; word-break: break-all; }
img.thumb { height: 64px; width: auto; max-width: 160px; image-rendering: pixelated; border: 1px solid #ddd; background: #fff; }
.no-thumb { display: inline-block; width: 64px; height: 48px; line-height: 48px; text-align: center; color: #999; border: 1px dashed #ccc; font-size: 10px; }
td.arrow { font-size: 20px; color: #999; }
`;
