// kexi.js draws the charts of a page with ECharts and wires the few forms that need script:
// the filter builder, the import upload with progress, and the import job poller.
// Every chart is an element with a data-chart attribute holding a chart spec (see chartSpec
// in pages.go): kind, title, x, y [{name, data}], y_cats, cells, links, lang.
(function () {
  'use strict';

  var palette = ['#1f6feb', '#f59f00', '#2f9e44', '#e03131', '#7048e8', '#0c8599', '#d6336c', '#5c940d', '#495057', '#f76707'];

  // esc makes text safe to join into HTML. Category, series and node names come from the
  // user's data (a city named "><img src=x onerror=…>): a tooltip formatter that returns HTML
  // must escape every one of them. (ECharts escapes names and valueFormatter results in its
  // own tooltips, and labels are drawn on the canvas, so those take plain text.)
  var escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(s) {
    return String(s === undefined || s === null ? '' : s).replace(/[&<>"']/g, function (c) { return escapes[c]; });
  }

  function fmtNum(v, lang) {
    if (typeof v !== 'number' || !isFinite(v)) { return v; }
    var abs = Math.abs(v);
    var digits = abs !== 0 && abs < 1 ? 3 : (Number.isInteger(v) ? 0 : 2);
    return v.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: digits });
  }

  // compact writes a large figure short for an axis: 1.2万 / 3.4亿 in Chinese, 12K / 3.4M in
  // English (the exact value is in the tooltip).
  function compact(v, lang) {
    if (typeof v !== 'number' || !isFinite(v)) { return v; }
    var abs = Math.abs(v), steps = lang === 'zh' ? [[1e8, '亿'], [1e4, '万']] : [[1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
    for (var i = 0; i < steps.length; i++) {
      if (abs >= steps[i][0]) {
        return (v / steps[i][0]).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 1 }) + steps[i][1];
      }
    }
    return fmtNum(v, lang);
  }

  // unitOf is what a value list holds: its own unit ("percent": a fraction 0..1, "currency"),
  // else the chart's format.
  function unitOf(spec, y) {
    return (y && y.unit) || (spec.format === 'percent' || spec.format === 'currency' ? spec.format : '');
  }

  // fmtValue writes a value exactly (tooltips); fmtShort writes it for an axis or a label.
  function fmtValue(spec, unit, v) {
    if (typeof v !== 'number' || !isFinite(v)) { return v; }
    if (unit === 'percent') { return (v * 100).toLocaleString(spec.lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 1 }) + '%'; }
    var s = fmtNum(v, spec.lang);
    return unit === 'currency' && spec.symbol ? spec.symbol + s : s;
  }
  function fmtShort(spec, unit, v) {
    if (typeof v !== 'number' || !isFinite(v)) { return v; }
    if (unit === 'percent') { return fmtValue(spec, unit, v); }
    var s = compact(v, spec.lang);
    return unit === 'currency' && spec.symbol ? spec.symbol + s : s;
  }

  // axisFmt formats a chart's values exactly, by the unit of its first value list.
  function axisFmt(spec) {
    var unit = unitOf(spec, (spec.y || [])[0]);
    return function (v) { return fmtValue(spec, unit, v); };
  }

  function valueSeries(spec, type, extra) {
    return (spec.y || []).map(function (y) {
      var s = { name: y.name, type: type, data: y.data };
      for (var k in extra) { s[k] = extra[k]; }
      return s;
    });
  }

  // textWidth estimates a label's width in pixels at 12 px (CJK characters are twice as wide).
  function textWidth(s) {
    var w = 0;
    String(s).split('').forEach(function (c) { w += c.charCodeAt(0) > 0x2e80 ? 12 : 7; });
    return w;
  }

  // categoryLabels shows every category label: as it is when all fit, wrapped in the
  // category's width when a wrapped label fits, else turned 45° (long ones cut, the tooltip
  // has them whole). Beyond 40 categories the chart zooms and ECharts picks the labels.
  function categoryLabels(spec, width) {
    var x = spec.x || [], n = x.length || 1, per = Math.floor((width - 60) / n);
    var longest = 0;
    x.forEach(function (c) { longest = Math.max(longest, textWidth(c)); });
    if (x.length > 40) { return { interval: 'auto', rotate: 45, width: 110, overflow: 'truncate' }; }
    if (longest <= per - 6) { return { interval: 0 }; }
    if (per >= 40 && longest <= 3 * (per - 6)) {
      // Wrapped into lines of even length (重要价/值客户, not 重要价值客/户).
      var lines = Math.ceil(longest / (per - 4));
      return { interval: 0, width: Math.min(per - 4, Math.ceil(longest / lines) + 2), overflow: spec.lang === 'zh' ? 'breakAll' : 'break', lineHeight: 14 };
    }
    return { interval: 0, rotate: 45, width: 110, overflow: 'truncate', fontSize: per < 18 ? 10 : 12 };
  }

  // categoryChart draws bars or lines over categories. Value lists of different units
  // (NPS points and a CSAT share) get an axis each, the second on the right; each axis is
  // titled with the names of its lists (up to two). A partial last month (spec.partial) is drawn lighter
  // (bars) or dashed (lines) and says so in the tooltip.
  function categoryChart(spec, type, extra, width) {
    var ys = spec.y || [], x = spec.x || [], units = [];
    ys.forEach(function (y) { var u = unitOf(spec, y); if (units.indexOf(u) < 0 && units.length < 2) { units.push(u); } });
    if (!units.length) { units.push(unitOf(spec)); }
    function axisOf(y) { return Math.max(0, units.indexOf(unitOf(spec, y))); }
    var yAxis = units.map(function (u, i) {
      var names = ys.filter(function (y) { return axisOf(y) === i; }).map(function (y) { return y.name; });
      // Titled with its lists' names; more than two are named by the legend only.
      var a = { type: 'value', name: names.length <= 2 ? names.join(' / ') : '', nameTextStyle: { align: i === 0 ? 'left' : 'right', color: '#555' },
        axisLabel: { formatter: function (v) { return fmtShort(spec, u, v); } }, splitLine: { show: i === 0 } };
      if (u === 'percent' && units.length > 1) {
        var inUnit = true;
        ys.forEach(function (y) { if (axisOf(y) === i) { y.data.forEach(function (v) { if (v < 0 || v > 1) { inUnit = false; } }); } });
        if (inUnit) { a.min = 0; a.max = 1; }
      }
      return a;
    });
    var partial = spec.partial && x.length >= 2 ? x.length - 1 : -1;
    var series = [];
    ys.forEach(function (y, i) {
      var s = { name: y.name, type: type, data: y.data.slice(), yAxisIndex: axisOf(y), itemStyle: { color: palette[i % palette.length] } };
      for (var k in extra || {}) { s[k] = extra[k]; }
      if (partial >= 0 && type === 'bar') {
        s.data[partial] = { value: y.data[partial], itemStyle: { opacity: 0.4 } };
      }
      series.push(s);
      if (partial >= 0 && type === 'line') {
        // The last segment, dashed: a second series with only the last two points.
        s.data[partial] = '-';
        var d = y.data.map(function () { return '-'; });
        d[partial - 1] = y.data[partial - 1];
        d[partial] = y.data[partial];
        var dash = { name: y.name, type: 'line', data: d, yAxisIndex: s.yAxisIndex, lineStyle: { type: 'dashed' },
          itemStyle: { color: s.itemStyle.color }, showSymbol: true, symbol: 'emptyCircle', partial: true };
        series.push(dash);
      }
    });
    var labels = categoryLabels(spec, width || 600);
    return {
      tooltip: { trigger: 'axis', formatter: function (ps) {
        ps = [].concat(ps);
        var i = ps.length ? ps[0].dataIndex : 0, seen = {};
        var head = esc(x[i]) + (i === partial ? ' (' + esc(spec.partial) + ')' : '');
        var lines = ps.filter(function (p) {
          var v = p.value !== null && typeof p.value === 'object' ? p.value.value : p.value;
          if (v === '-' || v === undefined || seen[p.seriesName]) { return false; }
          seen[p.seriesName] = true;
          return true;
        }).map(function (p) {
          var y = ys.filter(function (yy) { return yy.name === p.seriesName; })[0];
          return p.marker + esc(p.seriesName) + ': <b>' + esc(fmtValue(spec, unitOf(spec, y), y ? y.data[i] : p.value)) + '</b>';
        });
        return [head].concat(lines).join('<br>');
      } },
      legend: { show: ys.length > 1, top: 0, data: ys.map(function (y) { return y.name; }) },
      grid: { left: 20, right: 20, top: 40, bottom: x.length > 40 ? 40 : 20, containLabel: true },
      xAxis: { type: 'category', data: x, axisLabel: labels },
      yAxis: yAxis,
      dataZoom: x.length > 40 ? [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }] : [],
      series: series
    };
  }

  function pairs(spec) {
    var y = (spec.y && spec.y[0]) ? spec.y[0].data : [];
    return (spec.x || []).map(function (name, i) { return { name: name, value: y[i] || 0 }; });
  }

  // itemLabel labels a funnel or pyramid stage with its value, short.
  function itemLabel(s) {
    var unit = unitOf(s, (s.y || [])[0]);
    return function (p) { return p.name + ': ' + fmtShort(s, unit, p.value); };
  }

  var builders = {
    bar: function (s, w) { return categoryChart(s, 'bar', {}, w); },
    line: function (s, w) { return categoryChart(s, 'line', { smooth: true, showSymbol: (s.x || []).length < 40 }, w); },
    histogram: function (s, w) { return categoryChart(s, 'bar', { barCategoryGap: '2%' }, w); },
    pie: function (s, w) {
      // On a narrow screen the labels sit at the edges, wrapped, so none is cut off.
      var narrow = (w || 600) < 520;
      var label = narrow ? { formatter: '{b}\n{d}%', alignTo: 'edge', edgeDistance: 4, width: Math.floor((w || 300) * 0.28), overflow: 'break', fontSize: 11 }
        : { formatter: '{b}: {d}%' };
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) }, legend: { type: 'scroll', bottom: 0 },
        series: [{ type: 'pie', radius: narrow ? ['22%', '45%'] : ['35%', '65%'], center: ['50%', narrow ? '45%' : '50%'], data: pairs(s),
          label: label, labelLine: narrow ? { length: 6, length2: 0 } : {}, labelLayout: { hideOverlap: false } }] };
    },
    funnel: function (s) {
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) },
        series: [{ type: 'funnel', sort: 'descending', left: '10%', width: '80%', data: pairs(s), label: { formatter: itemLabel(s) } }] };
    },
    pyramid: function (s) {
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) },
        series: [{ type: 'funnel', sort: 'ascending', left: '10%', width: '80%', data: pairs(s), label: { formatter: itemLabel(s) } }] };
    },
    heatmap: function (s) {
      var cells = s.cells || [], max = 0, min = 0;
      cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } if (c[2] < min) { min = c[2]; } });
      return {
        tooltip: { position: 'top', formatter: function (p) {
          return esc((s.y_cats || [])[p.data[1]]) + ' · ' + esc((s.x || [])[p.data[0]]) + ': ' + esc(fmtNum(p.data[2], s.lang)); } },
        grid: { left: 90, right: 20, top: 10, bottom: 70, containLabel: true },
        xAxis: { type: 'category', data: s.x || [], splitArea: { show: true }, axisLabel: { rotate: (s.x || []).length > 12 ? 40 : 0 } },
        yAxis: { type: 'category', data: s.y_cats || [], splitArea: { show: true } },
        visualMap: { min: min, max: max || 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
          inRange: { color: ['#f1f8ff', '#79b8ff', '#0b4fb3'] } },
        series: [{ type: 'heatmap', data: cells, label: { show: cells.length <= 150, formatter: function (p) { return fmtNum(p.data[2], s.lang); } } }]
      };
    },
    sankey: function (s) {
      // Transitions between two dates: the same stage on both sides must be two nodes.
      var names = {}, nodes = [], links = [];
      function node(n) { if (!names[n]) { names[n] = true; nodes.push({ name: n }); } return n; }
      (s.links || []).forEach(function (l) {
        if (l.value > 0) { links.push({ source: node(l.source), target: node(l.target + ' '), value: l.value }); }
      });
      return { tooltip: { trigger: 'item' }, series: [{ type: 'sankey', data: nodes, links: links, emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5 }, left: 10, right: 90 }] };
    },
    scatter: function (s) {
      var ys = s.y || [];
      if (ys.length >= 2) {
        var pts = ys[0].data.map(function (v, i) { return [v, ys[1].data[i]]; });
        return { tooltip: { trigger: 'item' }, grid: { containLabel: true, left: 50, right: 20 },
          xAxis: { type: 'value', name: ys[0].name, scale: true }, yAxis: { type: 'value', name: ys[1].name, scale: true },
          series: [{ type: 'scatter', symbolSize: 6, data: pts }] };
      }
      return categoryChart(s, 'scatter');
    },
    map: function (s) {
      // No map outlines are shipped (nothing is fetched from the internet): regions as bars, largest first.
      var ps = pairs(s).sort(function (a, b) { return a.value - b.value; });
      // Every region is labelled (draw makes the chart tall enough); the axis is short (1.2万).
      var unit = unitOf(s, (s.y || [])[0]);
      return { tooltip: { trigger: 'axis', valueFormatter: axisFmt(s) }, grid: { left: 20, right: 30, top: 30, bottom: 20, containLabel: true },
        xAxis: { type: 'value', name: (s.y && s.y[0]) ? s.y[0].name : '', nameLocation: 'middle', nameGap: 24,
          axisLabel: { formatter: function (v) { return fmtShort(s, unit, v); } } },
        yAxis: { type: 'category', data: ps.map(function (p) { return p.name; }), axisLabel: { interval: 0 } },
        series: [{ type: 'bar', data: ps.map(function (p) { return p.value; }), name: (s.y && s.y[0]) ? s.y[0].name : '' }] };
    }
  };

  // ---- Waterfall (kind "waterfall") ------------------------------------------------------
  // y[0] holds a starting total, then signed changes, then the final total. ECharts has no
  // waterfall: each bar is a stack of a transparent base and a visible part spanning from the
  // running total before the change to the one after it (a part below zero stacks down from
  // the axis). Totals are blue, rises green, falls red; the tooltip shows the signed value.
  builders.waterfall = function (s) {
    var d = (s.y && s.y[0]) ? s.y[0].data : [], name = (s.y && s.y[0]) ? s.y[0].name : '';
    var base = [], up = [], down = [], run = 0;
    d.forEach(function (v, i) {
      var total = i === 0 || i === d.length - 1, from = total ? 0 : run, to = total ? v : run + v;
      var lo = Math.min(from, to), hi = Math.max(from, to);
      var color = total ? palette[0] : (v < 0 ? '#e03131' : '#2f9e44');
      if (lo >= 0) { base.push(lo); up.push({ value: hi - lo, itemStyle: { color: color } }); down.push('-'); }
      else if (hi <= 0) { base.push(hi); down.push({ value: lo - hi, itemStyle: { color: color } }); up.push('-'); }
      else { base.push(0); up.push({ value: hi, itemStyle: { color: color } }); down.push({ value: lo, itemStyle: { color: color } }); }
      run = to;
    });
    var bar = { type: 'bar', stack: 'waterfall', name: name };
    function part(extra) { var o = {}; for (var k in bar) { o[k] = bar[k]; } for (var j in extra) { o[j] = extra[j]; } return o; }
    var fmt = axisFmt(s);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
        var i = ps.length ? ps[0].dataIndex : 0;
        return esc((s.x || [])[i]) + ': ' + esc(fmt(d[i])); } },
      grid: { left: 60, right: 20, top: 20, bottom: 40, containLabel: true },
      xAxis: { type: 'category', data: s.x || [], axisLabel: { interval: 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: fmt } },
      series: [
        part({ data: base, itemStyle: { color: 'transparent' }, emphasis: { disabled: true }, silent: true, tooltip: { show: false } }),
        part({ data: up }), part({ data: down })
      ]
    };
  };
  // ---- end waterfall ---------------------------------------------------------------------

  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch (e) { console.warn('kexi: bad chart spec', e); return; }
    var build = builders[spec.kind] || builders.bar;
    if (spec.kind === 'map') {
      // One region a row of at least 18 px, so that no region's label is skipped.
      var need = (spec.x || []).length * 18 + 80;
      if (el.clientHeight < need) { el.style.height = need + 'px'; }
    }
    var chart = window.echarts.init(el, null, { renderer: 'canvas', locale: spec.lang === 'zh' ? 'ZH' : 'EN' });
    var opt = build(spec, el.clientWidth || 600);
    opt.color = palette;
    opt.animation = false;
    chart.setOption(opt);
    wireDrill(chart, spec, el);
    applyColors(chart, spec);
    el.setAttribute('data-drawn', '1');
    window.addEventListener('resize', function () { chart.resize(); });
  }

  // ---- Drill-down (issue #19): a click on a chart element opens the customers behind it. ----
  // spec.drill holds one customer-table link per element, in the order of spec.x (bars, pie
  // slices, funnel and pyramid stages, map regions), spec.cells (heat maps) or spec.links
  // (Sankey flows); "" where an element does not drill down.
  function drillIndex(spec, p) {
    if (spec.kind === 'sankey') {
      if (p.dataType !== 'edge' || !p.data) { return -1; }
      var links = spec.links || [];
      for (var i = 0; i < links.length; i++) {
        if (links[i].source === p.data.source && links[i].target + ' ' === p.data.target) { return i; }
      }
      return -1;
    }
    if (spec.kind === 'map') { return (spec.x || []).indexOf(p.name); }
    return p.dataIndex;
  }

  function wireDrill(chart, spec, el) {
    var links = spec.drill || [];
    if (!links.length) { return; }
    el.setAttribute('data-drill', '1');
    var only = spec.drill_y != null && spec.y && spec.y[spec.drill_y] ? spec.y[spec.drill_y].name : null;
    chart.on('click', function (p) {
      if (only !== null && p.seriesName !== only) { return; } // e.g. the control group's bar
      var i = drillIndex(spec, p);
      if (i >= 0 && links[i]) { window.location.href = links[i]; }
    });
  }
  // applyColors gives elements the colours spec.colors names (high risk red), X order.
  function applyColors(chart, spec) {
    var colors = spec.colors || [];
    if (!colors.length) { return; }
    var s = chart.getOption().series[0];
    if (!s || !s.data) { return; }
    var data = s.data.map(function (d, i) {
      if (!colors[i]) { return d; }
      var item = (d !== null && typeof d === 'object') ? d : { value: d };
      item.itemStyle = { color: colors[i] };
      return item;
    });
    chart.setOption({ series: [{ data: data }] });
  }
  // ---- end drill-down ----

  function drawAll() {
    if (!window.echarts) { return; }
    document.querySelectorAll('[data-chart]').forEach(draw);
    document.body.setAttribute('data-charts-ready', '1');
  }

  // Filter builder: each condition row becomes one f=FIELD:OP:VALUE parameter.
  function wireFilter() {
    var form = document.getElementById('filter-form');
    if (!form) { return; }
    var add = document.getElementById('add-cond');
    if (add) {
      add.addEventListener('click', function () {
        var rows = form.querySelectorAll('.cond');
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        copy.querySelector('.cv').value = '';
        copy.querySelector('.cf').value = '';
        last.parentNode.appendChild(copy);
      });
    }
    form.addEventListener('submit', function () {
      form.querySelectorAll('.cond').forEach(function (row) {
        var f = row.querySelector('.cf').value, o = row.querySelector('.co').value, v = row.querySelector('.cv').value;
        var hidden = row.querySelector('.fval');
        if (f) { hidden.value = f + ':' + o + ':' + v; } else { hidden.disabled = true; }
      });
      form.querySelectorAll('input[name=q], select[name=sort]').forEach(function (x) { if (!x.value) { x.disabled = true; } });
    });
  }

  // Import: upload with a progress bar, then follow the job through its check (to the preview)
  // and, once confirmed, its import.
  function wireImport() {
    var form = document.getElementById('import-form');
    if (!form) { return; }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var bar = document.getElementById('import-progress'), status = document.getElementById('import-status');
      bar.hidden = false;
      status.textContent = status.getAttribute('data-uploading');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', document.querySelector('meta[name=csrf-token]').content);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 202 && body.url) {
          status.textContent = status.getAttribute('data-importing');
          bar.removeAttribute('value');
          window.location.href = body.url;
        } else {
          status.textContent = body.message || ('HTTP ' + xhr.status);
          status.className = 'error';
        }
      };
      xhr.onerror = function () { status.textContent = 'network error'; status.className = 'error'; };
      xhr.send(new FormData(form));
    });
  }

  function pollJob() {
    var el = document.getElementById('job');
    if (!el) { return; }
    var state = el.getAttribute('data-state');
    if (state !== 'checking' && state !== 'reading' && state !== 'importing') { return; }
    var rows = document.getElementById('job-rows');
    setTimeout(function check() {
      fetch('/import/' + el.getAttribute('data-id') + '?format=json', { credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (j.state !== 'checking' && j.state !== 'reading' && j.state !== 'importing') { window.location.reload(); return; }
          if (rows && j.rows) { rows.textContent = rows.getAttribute('data-fmt').replace('%s', j.rows.toLocaleString()); }
          setTimeout(check, 500);
        });
    }, 300);
  }

  // wirePeriod submits the period picker when a preset is chosen; "custom" shows the dates.
  function wirePeriod() {
    var form = document.getElementById('period-form');
    var sel = document.getElementById('period-select');
    if (!form || !sel) { return; }
    sel.addEventListener('change', function () {
      var dates = form.querySelectorAll('.custom-dates input');
      if (sel.value === 'custom') {
        form.classList.add('custom');
        if (dates.length) { dates[0].focus(); }
        return;
      }
      form.classList.remove('custom');
      for (var i = 0; i < dates.length; i++) { dates[i].disabled = true; }
      form.submit();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    wirePeriod();
    drawAll();
    wireFilter();
    wireImport();
    pollJob();
  });
})();
