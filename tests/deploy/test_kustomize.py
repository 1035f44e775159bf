"""The kustomize renderer of these tests against known answers: each expected output below is what
`kustomize build` (v5.5.0, as built into kubectl 1.32) printed for the same input."""

from pathlib import Path

import pytest
import yaml

from tests.deploy.kustomize import KustomizeError, configmap_hash, render


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def by_identity(documents: list[dict]) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


def test_configmap_hash_is_kustomizes() -> None:
    assert configmap_hash({"data": {"A": "1"}}) == "89g4tffbfk"
    # Go escapes <, > and & in JSON and keeps other characters as UTF-8.
    assert configmap_hash({"data": {"A": "1", "B": "<&x>", "C": "ü"}}) == "tdb9kdc25f"


PATCHES_AND_IMAGES = {
    "base/kustomization.yaml": """
resources: [d.yaml]
configMapGenerator:
- name: cfg
  literals: [A=1, B=two words]
""",
    "base/d.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {tier: front}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - {name: init, image: "registry:5000/team/web:1.0"}
      containers:
      - name: web
        image: registry:5000/team/web@sha256:abc
        envFrom: [{configMapRef: {name: cfg}}]
        env: [{name: X, value: "1"}, {name: Y, valueFrom: {configMapKeyRef: {name: cfg, key: A}}}]
        volumeMounts: [{name: v, mountPath: /v}]
      - name: side
        image: busybox
      volumes: [{name: v, configMap: {name: cfg}}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, labels: {tier: back}}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox:1.36}]
""",
    "overlay/kustomization.yaml": """
resources: [../base]
configMapGenerator:
- name: cfg
  behavior: merge
  literals: [B=three, C=<x>]
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {extra: "yes", tier: null}
    spec:
      template:
        spec:
          containers:
          - name: web
            env: [{name: X, value: "2"}, {name: Z, value: "3"}]
            resources: {limits: {cpu: "1"}}
          - name: new
            image: nginx
- target: {labelSelector: "tier=back"}
  patch: |-
    - op: add
      path: /spec/jobTemplate/spec/template/spec/containers/-
      value: {name: d, image: busybox}
    - op: remove
      path: /spec/schedule
- target: {kind: Dep.*, name: "w.b"}
  patch: |-
    - op: replace
      path: /metadata/labels/extra
      value: "no"
images:
- {name: "registry:5000/team/web", newTag: "2.0"}
- {name: busybox, newName: my/busybox}
""",
}

PATCHES_AND_IMAGES_OUTPUT = """
apiVersion: v1
data: {A: "1", B: three, C: <x>}
kind: ConfigMap
metadata: {name: cfg-bt68d5k8t6}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {extra: "no"}
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - env:
        - {name: X, value: "2"}
        - {name: Z, value: "3"}
        - name: "Y"
          valueFrom: {configMapKeyRef: {key: A, name: cfg-bt68d5k8t6}}
        envFrom:
        - configMapRef: {name: cfg-bt68d5k8t6}
        image: registry:5000/team/web:2.0
        name: web
        resources: {limits: {cpu: "1"}}
        volumeMounts:
        - {mountPath: /v, name: v}
      - {image: nginx, name: new}
      - {image: my/busybox, name: side}
      initContainers:
      - {image: "registry:5000/team/web:2.0", name: init}
      volumes:
      - configMap: {name: cfg-bt68d5k8t6}
        name: v
---
apiVersion: batch/v1
kind: CronJob
metadata:
  labels: {tier: back}
  name: cron
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {image: "my/busybox:1.36", name: c}
          - {image: my/busybox, name: d}
          restartPolicy: Never
"""


def test_generators_patches_and_images_as_kustomize(tmp_path: Path) -> None:
    write(tmp_path, PATCHES_AND_IMAGES)
    rendered = render(tmp_path / "overlay")
    expected = [d for d in yaml.safe_load_all(PATCHES_AND_IMAGES_OUTPUT) if d]
    assert by_identity(rendered) == by_identity(expected)
    # Order inside merged lists matters (env may refer to earlier variables): kustomize's.
    web = by_identity(rendered)[("Deployment", "web")]["spec"]["template"]["spec"]
    assert [c["name"] for c in web["containers"]] == ["web", "new", "side"]
    assert [e["name"] for e in web["containers"][0]["env"]] == ["X", "Z", "Y"]


COMPONENT = {
    "app/kustomization.yaml": """
resources: [hpa.yaml]
configMapGenerator:
- name: settings
  literals: [LEVEL=info]
""",
    "app/hpa.yaml": """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {maxReplicas: 3, scaleTargetRef: {kind: Deployment, name: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: worker}
spec: {maxReplicas: 3, scaleTargetRef: {kind: Deployment, name: worker}}
""",
    "comp/kustomization.yaml": """
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [extra.yaml]
configMapGenerator:
- name: settings
  behavior: merge
  literals: [MODE=lag]
patches:
- patch: |-
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: worker
    $patch: delete
""",
    "comp/extra.yaml": """
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker}
spec: {scaleTargetRef: {name: worker}, triggers: [{type: cpu, metricType: Utilization, metadata: {value: "50"}}]}
""",
    # The component runs before the overlay's own patches: the targeted patch finds one HPA left.
    "overlay/kustomization.yaml": """
resources: [../app]
components: [../comp]
patches:
- target: {kind: HorizontalPodAutoscaler}
  patch: |-
    - op: add
      path: /spec/minReplicas
      value: 2
""",
}

COMPONENT_OUTPUT = """
apiVersion: v1
data: {LEVEL: info, MODE: lag}
kind: ConfigMap
metadata: {name: settings-75thb4f2gg}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  maxReplicas: 3
  minReplicas: 2
  scaleTargetRef: {kind: Deployment, name: web}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker}
spec:
  scaleTargetRef: {name: worker}
  triggers:
  - metadata: {value: "50"}
    metricType: Utilization
    type: cpu
"""


def test_components_as_kustomize(tmp_path: Path) -> None:
    write(tmp_path, COMPONENT)
    expected = [d for d in yaml.safe_load_all(COMPONENT_OUTPUT) if d]
    assert by_identity(render(tmp_path / "overlay")) == by_identity(expected)


@pytest.mark.parametrize(("kustomization", "refusal"), [
    ("resources: [r.yaml]\nnamePrefix: x-\n", "not implemented"),
    ("resources: [r.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata: {name: other}\n", "matches 0"),
    ("resources: [r.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n"
     "    spec: {ports: [{port: 81}]}\n", "list is not implemented"),
    ("resources: [r.yaml]\npatches:\n- target: {kind: Service}\n  patch: |-\n    - op: replace\n      path: /spec/type\n"
     "      value: NodePort\n", "nothing there"),
    ("resources: [r.yaml, r.yaml]\n", "defined twice"),
])
def test_refuses_what_it_does_not_implement_or_kustomize_rejects(tmp_path: Path, kustomization: str, refusal: str) -> None:
    write(tmp_path, {"kustomization.yaml": kustomization,
                     "r.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"})
    with pytest.raises(KustomizeError, match=refusal):
        render(tmp_path)
