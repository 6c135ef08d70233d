// Makes content/data/europe_map.yaml: the countries of Europe and around it as SVG paths, for the maps the
// templates draw at build time (README, "The map of Europe"). Run from the project's folder:
//
//   npm ci --ignore-scripts --no-audit --no-fund --prefix maps
//   node maps/europe.mjs > content/data/europe_map.yaml
//
// Source: Natural Earth's Admin 0 countries at 1:50m (public domain), as TopoJSON in the npm package
// world-atlas (ISC), at the versions maps/package-lock.json pins. The same versions give the same file.
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {geoAzimuthalEqualArea, geoContains, geoIdentity, geoPath} from "d3-geo";
import countries from "i18n-iso-countries";
import * as topojson from "topojson-client";
import {planarTriangleArea, presimplify, simplify} from "topojson-simplify";

const require = createRequire(import.meta.url);
const ATLAS = "world-atlas/countries-50m.json";
const atlasVersion = require("world-atlas/package.json").version;

// The frame: the smallest rectangle around these places (longitude, latitude), with a margin: Iceland's
// west, Cabo de São Vicente, Tarifa, North Cape, Crete's south, Cyprus's south and east, the Caucasus.
const FRAME = [[-24.6, 63.3], [-9.5, 36.9], [-5.6, 36.0], [25.8, 71.2], [24.7, 34.8], [33, 34.55], [34.6, 35.0], [44.5, 41.5]];
const MARGIN = 12;
const WIDTH = 1000;
// Lambert azimuthal equal-area centred on 52° N, 10° E: the projection of the EU's statistical maps
// (ETRS89-LAEA, EPSG:3035), so that areas compare truly.
const CENTRE = [10, 52];
// Simplification: a point goes when the triangle it makes with its neighbours is smaller than this, in
// square units of the map (1000 units wide), keeping shared borders shared (topology-preserving).
const MIN_TRIANGLE = 1.2;
// Islands smaller than this (square units) are left out, but never a country's largest piece.
const MIN_ISLAND = 6;
// A country too small to keep a shape of its own when simplified (San Marino, Monaco, the Vatican) is a
// square this wide at its centre, so that it can still be shaded and named.
const DOT = 4;

// Where Natural Earth draws control on the ground, the map follows the position of Poland and the EU:
// Crimea is Ukraine's (UN General Assembly resolution 68/262), and the north of Cyprus is Cyprus's.
// Åland is an autonomous region of Finland, drawn with it.
const SIMFEROPOL = [34.1, 44.95];
const MERGED = {"N. Cyprus": "CY", "Åland": "FI"};
// Natural Earth's countries without an ISO 3166 numeric code, by name.
const NAMED = {Kosovo: "XK"};

const world = JSON.parse(readFileSync(require.resolve(ATLAS), "utf8"));
const projection = geoAzimuthalEqualArea().rotate([-CENTRE[0], -CENTRE[1]]).precision(0);
const places = {type: "MultiPoint", coordinates: FRAME};
projection.fitWidth(WIDTH - 2 * MARGIN, places);
const [[left, top], [, bottom]] = geoPath(projection).bounds(places);
const [tx, ty] = projection.translate();
projection.translate([tx + MARGIN - left, ty + MARGIN - top]);
const HEIGHT = Math.round(bottom - top + 2 * MARGIN);

const projected = project(world);
const simple = simplify(presimplify(projected, planarTriangleArea), MIN_TRIANGLE);
const byCode = new Map();
for (const geometry of reassignCrimea(simple.objects.countries.geometries)) {
  const code = codeOf(geometry);
  if (code) byCode.set(code, [...(byCode.get(code) || []), geometry]);
}
const clip = geoIdentity().clipExtent([[0, 0], [WIDTH, HEIGHT]]);
const path = geoPath(clip).digits(0);
const shapes = [];
for (const [code, geometries] of [...byCode].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const shape = topojson.merge(simple, geometries);
  const d = tooSmall(shape) ? dot(topojson.merge(projected, geometries)) || compact(shape) : compact(shape);
  if (d) shapes.push({code, d});
}
process.stdout.write(yaml(shapes));

// The topology with every arc point projected to the map's plane, so that simplification works in map units.
function project(topology) {
  const {scale: [kx, ky], translate: [dx, dy]} = topology.transform;
  const arcs = topology.arcs.map(arc => {
    let x = 0, y = 0;
    return arc.map(([ax, ay]) => {
      x += ax;
      y += ay;
      return projection([x * kx + dx, y * ky + dy]);
    });
  });
  const {transform, ...rest} = topology;
  return {...rest, arcs};
}

// Natural Earth 4.1 puts Crimea in Russia's geometry as a polygon of its own: it goes to Ukraine.
function reassignCrimea(geometries) {
  const russia = geometries.find(g => g.id === "643");
  const ukraine = geometries.find(g => g.id === "804");
  const lonLat = topojson.feature(world, world.objects.countries).features.find(f => f.id === "643");
  const index = lonLat.geometry.coordinates.findIndex(polygon =>
    geoContains({type: "Polygon", coordinates: polygon}, SIMFEROPOL)
  );
  if (russia.type !== "MultiPolygon" || index < 0) throw new Error("Crimea not found in Russia's geometry");
  const crimea = {type: "Polygon", arcs: russia.arcs[index], id: "804", properties: ukraine.properties};
  const rest = {...russia, arcs: russia.arcs.filter((_, i) => i !== index)};
  return geometries.map(g => (g === russia ? rest : g)).concat([crimea]);
}

function codeOf(geometry) {
  const name = geometry.properties.name;
  if (MERGED[name]) return MERGED[name];
  if (NAMED[name]) return NAMED[name];
  return geometry.id ? countries.numericToAlpha2(geometry.id) : undefined;
}

// The pieces of a shape inside the frame, each with its area there (square units).
function pieces(shape) {
  return shape.coordinates
    .map(polygon => ({polygon, area: Math.abs(geoPath(clip).area({type: "Polygon", coordinates: polygon}))}))
    .filter(piece => piece.area > 0);
}

function tooSmall(shape) {
  return Math.max(0, ...pieces(shape).map(piece => piece.area)) < (DOT * DOT) / 2;
}

// The shape's SVG path in relative commands and whole units, without the pieces too small to see and
// without any piece outside the frame; "" when nothing of it is inside.
function compact(shape) {
  const inside = pieces(shape);
  if (!inside.length) return "";
  const largest = Math.max(...inside.map(piece => piece.area));
  const kept = inside.filter(piece => piece.area >= MIN_ISLAND || piece.area === largest);
  const d = path({type: "MultiPolygon", coordinates: kept.map(piece => piece.polygon)});
  return d ? relative(d) : "";
}

// A small square at the centre of a shape inside the frame, from its unsimplified outline; "" outside it.
function dot(shape) {
  const [x, y] = geoPath(geoIdentity()).centroid(shape).map(Math.round);
  if (!(x >= DOT && y >= DOT && x <= WIDTH - DOT && y <= HEIGHT - DOT)) return "";
  const half = DOT / 2;
  return `M${x - half} ${y - half}l${DOT} 0l0 ${DOT}l-${DOT} 0z`;
}

// "M10,20L13,24L13,24Z" -> "M10 20l3 4z": deltas are shorter than absolute positions.
function relative(d) {
  let out = "", x = 0, y = 0;
  for (const [, command, numbers] of d.matchAll(/([MLZ])([^MLZ]*)/g)) {
    if (command === "Z") {
      out += "z";
      continue;
    }
    const [nx, ny] = numbers.split(",").map(Number);
    if (command === "M") out += `M${nx} ${ny}`;
    else if (nx !== x || ny !== y) out += `l${nx - x} ${ny - y}`.replace(/ -/g, "-");
    [x, y] = [nx, ny];
  }
  return out.replace(/M(\d+) (\d+)z/g, "");
}

function yaml(shapes) {
  return `# The map of Europe the templates draw (README, "The map of Europe"). Generated: do not edit by hand.
# Made by maps/europe.mjs from Natural Earth's Admin 0 countries, 1:50m (public domain,
# https://www.naturalearthdata.com/about/terms-of-use/), through the npm package world-atlas ${atlasVersion}.
# Projection: Lambert azimuthal equal-area centred on ${CENTRE[1]}° N, ${CENTRE[0]}° E; simplified and
# rounded to whole units of a map ${WIDTH} units wide; countries too small for that (San Marino, Monaco,
# the Vatican) are small squares. Crimea is drawn as part of Ukraine and the north of Cyprus as part of Cyprus, as
# Poland and the EU recognise them; Åland with Finland.
# id: the country's ISO 3166 code; d: its outline as an SVG path.
viewbox: "0 0 ${WIDTH} ${HEIGHT}"
shapes:
${shapes.map(({code, d}) => `  - {id: "${code}", d: "${d}"}`).join("\n")}
`;
}
