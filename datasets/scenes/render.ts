import sharp from 'sharp';
import type { PlacedObject, Scene } from './layout.js';
import { COLOUR_RGB } from './vocabulary.js';

const rgb = (c: readonly number[]) => `rgb(${c.map((v) => Math.round(v)).join(',')})`;

const polygon = (points: [number, number][]) =>
  points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ');

/** Outline points of a shape centred on the origin with the given radius. */
function outline(shape: PlacedObject['shape'], r: number): [number, number][] {
  const ring = (n: number, radius: (i: number) => number, phase = -Math.PI / 2) =>
    Array.from({ length: n }, (_, i): [number, number] => {
      const a = phase + (2 * Math.PI * i) / n;
      return [radius(i) * Math.cos(a), radius(i) * Math.sin(a)];
    });
  switch (shape) {
    case 'square': {
      const h = r * 0.82;
      return [
        [-h, -h],
        [h, -h],
        [h, h],
        [-h, h],
      ];
    }
    case 'triangle':
      return ring(3, () => r).map(([x, y]) => [x, y + r * 0.15]);
    case 'star':
      return ring(10, (i) => (i % 2 === 0 ? r : r * 0.45));
    case 'heart':
      // The classic heart curve, scaled so that its widest half-extent is r.
      return Array.from({ length: 48 }, (_, i): [number, number] => {
        const t = (2 * Math.PI * i) / 48;
        const x = 16 * Math.sin(t) ** 3;
        const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
        return [(x * r) / 16.5, (-y * r) / 16.5 + r * 0.1];
      });
    default:
      return ring(36, () => r);
  }
}

function objectSvg(o: PlacedObject): string {
  const fill = rgb(COLOUR_RGB[o.colour]);
  const transform = `translate(${o.cx.toFixed(2)} ${o.cy.toFixed(2)}) rotate(${o.rotation.toFixed(1)})`;
  if (o.shape === 'circle')
    return `<circle cx="${o.cx}" cy="${o.cy}" r="${o.radius * 0.92}" fill="${fill}"/>`;
  return `<polygon transform="${transform}" points="${polygon(outline(o.shape, o.radius))}" fill="${fill}"/>`;
}

/** The scene as SVG: a vertical gradient background, then the objects. */
export function sceneSvg(scene: Scene, size: number): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgb(scene.background)}"/><stop offset="1" stop-color="${rgb(scene.background2)}"/></linearGradient></defs>`,
    `<rect width="${size}" height="${size}" fill="url(#bg)"/>`,
    ...scene.objects.map(objectSvg),
    '</svg>',
  ].join('');
}

/** Renders a scene to PNG bytes: SVG via librsvg, then optional blur and Gaussian-ish pixel noise. */
export async function renderScene(
  scene: Scene,
  size: number,
  random: () => number,
): Promise<Buffer> {
  let image = sharp(Buffer.from(sceneSvg(scene, size))).removeAlpha();
  if (scene.blur > 0) image = image.blur(scene.blur);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const amplitude = scene.noise * 255;
  for (let i = 0; i < data.length; i++) {
    // Sum of two uniforms: a cheap bell-shaped noise.
    const n = (random() + random() - 1) * amplitude;
    data[i] = Math.min(255, Math.max(0, Math.round(data[i]! + n)));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .png()
    .toBuffer();
}
