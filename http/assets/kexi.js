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

  function axisFmt(spec) {
    return function (v) {
      var s = fmtNum(v, spec.lang);
      if (spec.format === 'currency' && spec.symbol) { return spec.symbol + s; }
      return s;
    };
  }

  function valueSeries(spec, type, extra) {
    return (spec.y || []).map(function (y) {
      var s = { name: y.name, type: type, data: y.data };
      for (var k in extra) { s[k] = extra[k]; }
      return s;
    });
  }

  function categoryChart(spec, type, extra) {
    var many = (spec.x || []).length > 8 || (spec.x || []).join('').length > 48;
    return {
      tooltip: { trigger: 'axis', valueFormatter: axisFmt(spec) },
      legend: { show: (spec.y || []).length > 1, top: 0 },
      grid: { left: 60, right: 20, top: 30, bottom: many ? 80 : 40, containLabel: true },
      xAxis: { type: 'category', data: spec.x || [], axisLabel: { rotate: many ? 40 : 0, interval: many ? 'auto' : 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: axisFmt(spec) } },
      dataZoom: (spec.x || []).length > 40 ? [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }] : [],
      series: valueSeries(spec, type, extra || {})
    };
  }

  function pairs(spec) {
    var y = (spec.y && spec.y[0]) ? spec.y[0].data : [];
    return (spec.x || []).map(function (name, i) { return { name: name, value: y[i] || 0 }; });
  }

  var builders = {
    bar: function (s) { return categoryChart(s, 'bar'); },
    line: function (s) { return categoryChart(s, 'line', { smooth: true, showSymbol: (s.x || []).length < 40 }); },
    histogram: function (s) { return categoryChart(s, 'bar', { barCategoryGap: '2%' }); },
    pie: function (s) {
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) }, legend: { type: 'scroll', bottom: 0 },
        series: [{ type: 'pie', radius: ['35%', '65%'], data: pairs(s), label: { formatter: '{b}: {d}%' } }] };
    },
    funnel: function (s) {
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) },
        series: [{ type: 'funnel', sort: 'descending', left: '10%', width: '80%', data: pairs(s), label: { formatter: '{b}: {c}' } }] };
    },
    pyramid: function (s) {
      return { tooltip: { trigger: 'item', valueFormatter: axisFmt(s) },
        series: [{ type: 'funnel', sort: 'ascending', left: '10%', width: '80%', data: pairs(s), label: { formatter: '{b}: {c}' } }] };
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
      return { tooltip: { trigger: 'axis', valueFormatter: axisFmt(s) }, grid: { left: 90, right: 30, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: 'value', axisLabel: { formatter: axisFmt(s) } }, yAxis: { type: 'category', data: ps.map(function (p) { return p.name; }) },
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
    var chart = window.echarts.init(el, null, { renderer: 'canvas', locale: spec.lang === 'zh' ? 'ZH' : 'EN' });
    var opt = build(spec);
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
    chart.on('click', function (p) {
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

  document.addEventListener('DOMContentLoaded', function () {
    drawAll();
    wireFilter();
    wireImport();
    pollJob();
  });
})();
