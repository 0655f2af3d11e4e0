# Source on the GPU machine from the project root: source .gpu/enter.sh
# Unpacks the carried Vulkan/GL loaders (the NVIDIA driver brings only its ICD), node, and the
# packages the bundles keep external (Dawn, sharp, meyda) into .gpu/node_modules.
G=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for f in "$G"/deb/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/node/bin
[ -x /tmp/node/bin/node ] || { xz -dc "$G/node.xz" >/tmp/node/bin/node && chmod +x /tmp/node/bin/node; }
export PATH=/tmp/node/bin:$PATH
[ -d "$G/node_modules/webgpu" ] || xz -dc "$G/modules.tar.xz" | tar -C "$G" -xf -
for f in "$G"/*.mjs.xz; do [ -f "${f%.xz}" ] || xz -dkc "$f" >"${f%.xz}"; done
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && export VK_DRIVER_FILES=$icd && break
done
echo "device: node $(node --version), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
