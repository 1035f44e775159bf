"""A small kustomize: renders `deploy/k8s` the way `kustomize build` does, for the tests.

No registry has the kustomize binary for the Python tool chain, so this implements the subset
that deploy/k8s uses, following kustomize v5's rules:

- `resources` (YAML files, and directories with a kustomization), `components`;
- `configMapGenerator` with `literals` and `behavior` (create, merge, replace), its name suffixed
  at the very end with kustomize's content hash, and the references to it in pod templates
  renamed;
- `patches`, strategic merge (the patch names its target, or `target` selects several) or JSON 6902
  (`add`, `replace`, `remove`; with a `target`);
- `images` (`newName`, `newTag`).

Order as in kustomize: a kustomization first builds its `resources`, then applies its
`components` to them (each component adds its resources and runs its generators and patches on
everything accumulated so far), then runs its own generators, then its patches, then `images`.

Whatever it does not implement it refuses (an unknown field, a strategic merge of a list
without a known merge key, ...), so a manifest can never mean something else here than in
kustomize. Output order is resource order (kustomize sorts by kind; nothing here depends on it).
"""

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "resources", "components", "configMapGenerator", "patches", "images"}
GENERATOR_FIELDS = {"name", "literals", "behavior"}
PATCH_FIELDS = {"path", "patch", "target"}
TARGET_FIELDS = {"group", "version", "kind", "name", "labelSelector"}
IMAGE_FIELDS = {"name", "newName", "newTag"}

# Lists that a strategic merge patch merges item by item, by this key (Kubernetes' patch merge
# keys for these fields). Other lists in a strategic merge patch are refused, not guessed at.
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name", "volumeMounts": "mountPath"}


class KustomizeError(Exception):
    pass


@dataclass
class _Accumulator:
    resources: list[Resource] = field(default_factory=list)
    # Generated ConfigMaps (by identity) get the hash suffix at the end.
    generated: list[Resource] = field(default_factory=list)

    def add(self, resource: Resource, where: Path) -> None:
        key = _identity(resource)
        if any(_identity(r) == key for r in self.resources):
            raise KustomizeError(f"{where}: {key} is defined twice")
        self.resources.append(resource)


def render(directory: Path) -> list[Resource]:
    """`kustomize build directory`."""
    acc = _Accumulator()
    _build(Path(directory), acc, expected_kind="Kustomization")
    for configmap in acc.generated:
        old = configmap["metadata"]["name"]
        new = f"{old}-{configmap_hash(configmap)}"
        configmap["metadata"]["name"] = new
        for resource in acc.resources:
            _rename_configmap_references(resource, old, new)
    return acc.resources


def configmap_hash(configmap: Resource) -> str:
    """kustomize's name suffix: sha256 of Go's JSON of kind, name and data, shortened and with
    some characters swapped (kustomize/api/hasher). kustomize looks the name up with a path that
    finds nothing, so the name it hashes is always empty; the hash depends on the data alone."""
    document = {"kind": "ConfigMap", "name": "", "data": configmap.get("data", {})}
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # Go's encoding/json escapes these for HTML safety.
    encoded = encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def _build(directory: Path, acc: _Accumulator, *, expected_kind: str) -> None:
    kustomization = _load_kustomization(directory, expected_kind)
    for entry in kustomization.get("resources", []):
        path = directory / entry
        if path.is_dir():
            _build(path, acc, expected_kind="Kustomization")
        else:
            for resource in _load_documents(path):
                acc.add(resource, path)
    for entry in kustomization.get("components", []):
        _build(directory / entry, acc, expected_kind="Component")
    for generator in kustomization.get("configMapGenerator", []):
        _generate_configmap(generator, acc, directory)
    for patch in kustomization.get("patches", []):
        _apply_patch(patch, acc, directory)
    for image in kustomization.get("images", []):
        _set_image(image, acc.resources, directory)


def _load_kustomization(directory: Path, expected_kind: str) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    kustomization = yaml.safe_load(path.read_text()) or {}
    kind = kustomization.get("kind", "Kustomization")
    if kind != expected_kind:
        raise KustomizeError(f"{path}: a {kind} where a {expected_kind} belongs")
    if unknown := set(kustomization) - KUSTOMIZATION_FIELDS:
        raise KustomizeError(f"{path}: not implemented here: {sorted(unknown)}")
    return kustomization


def _load_documents(path: Path) -> list[Resource]:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    for document in documents:
        if not isinstance(document, dict) or not {"apiVersion", "kind", "metadata"} <= set(document):
            raise KustomizeError(f"{path}: not a Kubernetes resource: {document!r:.80}")
    return documents


def _identity(resource: Resource) -> tuple[str, str, str, str]:
    group = resource["apiVersion"].rpartition("/")[0]
    metadata = resource["metadata"]
    return group, resource["kind"], metadata.get("namespace", ""), metadata["name"]


# ---- configMapGenerator ------------------------------------------------------------------------

def _generate_configmap(generator: dict[str, Any], acc: _Accumulator, directory: Path) -> None:
    if unknown := set(generator) - GENERATOR_FIELDS:
        raise KustomizeError(f"{directory}: configMapGenerator: not implemented here: {sorted(unknown)}")
    name = generator["name"]
    data = {}
    for literal in generator.get("literals", []):
        key, sep, value = literal.partition("=")
        if not sep:
            raise KustomizeError(f"{directory}: configMapGenerator {name}: {literal!r} is not KEY=VALUE")
        data[key] = value
    behavior = generator.get("behavior", "create")
    existing = next((c for c in acc.generated if c["metadata"]["name"] == name), None)
    if behavior == "create":
        configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
        acc.add(configmap, directory)
        acc.generated.append(configmap)
    elif behavior in ("merge", "replace"):
        if existing is None:
            raise KustomizeError(f"{directory}: configMapGenerator {name}: nothing to {behavior}")
        existing["data"] = {**existing["data"], **data} if behavior == "merge" else data
    else:
        raise KustomizeError(f"{directory}: configMapGenerator {name}: unknown behavior {behavior!r}")


def _pod_specs(resource: Resource) -> list[dict[str, Any]]:
    kind, spec = resource["kind"], resource.get("spec", {})
    if kind == "Pod":
        return [spec]
    if kind == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        return [spec["template"]["spec"]]
    return []


def _containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return pod_spec.get("initContainers", []) + pod_spec.get("containers", [])


def _rename_configmap_references(resource: Resource, old: str, new: str) -> None:
    for pod_spec in _pod_specs(resource):
        refs = []
        for container in _containers(pod_spec):
            refs += [source["configMapRef"] for source in container.get("envFrom", []) if "configMapRef" in source]
            refs += [var["valueFrom"]["configMapKeyRef"] for var in container.get("env", [])
                     if "configMapKeyRef" in var.get("valueFrom", {})]
        for volume in pod_spec.get("volumes", []):
            if "configMap" in volume:
                refs.append(volume["configMap"])
            refs += [source["configMap"] for source in volume.get("projected", {}).get("sources", []) if "configMap" in source]
        for ref in refs:
            if ref.get("name") == old:
                ref["name"] = new


# ---- patches -----------------------------------------------------------------------------------

def _apply_patch(entry: dict[str, Any], acc: _Accumulator, directory: Path) -> None:
    if unknown := set(entry) - PATCH_FIELDS:
        raise KustomizeError(f"{directory}: patch: not implemented here: {sorted(unknown)}")
    if ("path" in entry) == ("patch" in entry):
        raise KustomizeError(f"{directory}: a patch has either `path` or `patch`")
    text = (directory / entry["path"]).read_text() if "path" in entry else entry["patch"]
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    target = entry.get("target")

    if len(documents) == 1 and isinstance(documents[0], list):  # JSON 6902
        if target is None:
            raise KustomizeError(f"{directory}: a JSON 6902 patch needs a target")
        for resource in _select(acc.resources, target, directory):
            _json6902(resource, documents[0])
        return

    for patch in documents:
        if not isinstance(patch, dict):
            raise KustomizeError(f"{directory}: a patch is a mapping (strategic merge) or a list (JSON 6902)")
        if target is not None:
            matches = _select(acc.resources, target, directory)
        else:
            # The patch names its one target: kind and name, and the group when it gives one.
            selector = {"kind": re.escape(patch["kind"]), "name": re.escape(patch["metadata"]["name"])}
            if group := patch.get("apiVersion", "").rpartition("/")[0]:
                selector["group"] = re.escape(group)
            matches = _select(acc.resources, selector, directory)
            if len(matches) != 1:
                raise KustomizeError(f"{directory}: the patch of {patch['kind']} {patch['metadata']['name']} "
                                     f"matches {len(matches)} resources, not one")
        for resource in matches:
            if patch.get("$patch") == "delete":
                acc.resources.remove(resource)
                if resource in acc.generated:
                    acc.generated.remove(resource)
            else:
                body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")}
                _strategic_merge(resource, {**body, "metadata": _metadata_patch(patch)}, path=resource["kind"])


def _metadata_patch(patch: Resource) -> dict[str, Any]:
    return {k: v for k, v in patch.get("metadata", {}).items() if k not in ("name", "namespace")}


def _select(resources: list[Resource], target: dict[str, Any], directory: Path) -> list[Resource]:
    """The resources a patch target selects (none is fine, as in kustomize). `group`, `version`,
    `kind` and `name` are regular expressions matching the whole value; `labelSelector` is
    `key=value` terms joined by commas."""
    if unknown := set(target) - TARGET_FIELDS:
        raise KustomizeError(f"{directory}: patch target: not implemented here: {sorted(unknown)}")
    selected = []
    for resource in resources:
        group, _, version = resource["apiVersion"].rpartition("/")
        labels = resource["metadata"].get("labels", {})
        values = {"group": group, "version": version, "kind": resource["kind"], "name": resource["metadata"]["name"]}
        if any(not re.fullmatch(target[key], value) for key, value in values.items() if key in target):
            continue
        if "labelSelector" in target:
            terms = [term.split("=", 1) for term in target["labelSelector"].split(",")]
            if any(labels.get(key.strip()) != value.strip() for key, value in terms):
                continue
        selected.append(resource)
    return selected


def _strategic_merge(original: dict[str, Any], patch: dict[str, Any], *, path: str) -> None:
    for key, value in patch.items():
        where = f"{path}.{key}"
        if isinstance(key, str) and key.startswith("$"):
            raise KustomizeError(f"{where}: patch directive not implemented here")
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict) and isinstance(original.get(key), dict):
            _strategic_merge(original[key], value, path=where)
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value) and key in MERGE_KEYS:
            # As kustomize orders them: the patch's items (merged into the originals of the same
            # key) in the patch's order, then the originals the patch does not name.
            merge_key = MERGE_KEYS[key]
            originals = {item[merge_key]: item for item in original.get(key, [])}
            merged = []
            for item in value:
                if item[merge_key] in originals:
                    match = originals.pop(item[merge_key])
                    _strategic_merge(match, item, path=f"{where}[{item[merge_key]}]")
                    merged.append(match)
                else:
                    merged.append(copy.deepcopy(item))
            original[key] = merged + list(originals.values())
        elif isinstance(value, list):
            raise KustomizeError(f"{where}: strategic merge of this list is not implemented here; use a JSON 6902 patch")
        else:
            original[key] = copy.deepcopy(value)


def _json6902(resource: Resource, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        op, pointer = operation["op"], operation["path"]
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
        parent = resource
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        where = f"{resource['kind']} {resource['metadata']['name']}: {op} {pointer}"
        if op == "add":
            value = copy.deepcopy(operation["value"])
            if isinstance(parent, list):
                parent.insert(len(parent) if last == "-" else int(last), value)
            else:
                parent[last] = value
        elif op in ("replace", "remove"):
            container_has = (0 <= int(last) < len(parent)) if isinstance(parent, list) else last in parent
            if not container_has:
                raise KustomizeError(f"{where}: nothing there")
            index = int(last) if isinstance(parent, list) else last
            if op == "replace":
                parent[index] = copy.deepcopy(operation["value"])
            else:
                del parent[index]
        else:
            raise KustomizeError(f"{where}: operation not implemented here")


# ---- images ------------------------------------------------------------------------------------

def _split_image(image: str) -> tuple[str, str]:
    """`registry:5000/name:tag` -> (`registry:5000/name`, `tag`); a digest counts as no tag."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, ""


def _set_image(entry: dict[str, Any], resources: list[Resource], directory: Path) -> None:
    if unknown := set(entry) - IMAGE_FIELDS:
        raise KustomizeError(f"{directory}: images: not implemented here: {sorted(unknown)}")
    for resource in resources:
        for pod_spec in _pod_specs(resource):
            for container in _containers(pod_spec):
                name, tag = _split_image(container["image"])
                if name != entry["name"]:
                    continue
                name = entry.get("newName", name)
                tag = str(entry.get("newTag", tag))
                container["image"] = f"{name}:{tag}" if tag else name
