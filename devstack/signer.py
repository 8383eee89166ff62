"""A throwaway service-account key that signs upload URLs on this machine only.

fake-gcs-server does not check signatures, but google-cloud-storage needs a signer to
build a V4 URL. Production has no key at all: it signs through IAM signBlob (and its
settings refuse UPLOAD_SIGNER_KEY_FILE).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def ensure_signer_key(local_dir: Path, project_id: str) -> Path:
    """Create local_dir/upload-signer.json once (mode 0600) and return its path."""
    path = Path(local_dir) / "upload-signer.json"
    if path.exists():
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    document = {
        "type": "service_account", "project_id": project_id, "private_key_id": "local",
        "private_key": pem, "client_email": f"uploads@{project_id}.iam.gserviceaccount.com",
        "client_id": "0", "token_uri": "http://127.0.0.1/token",
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file)
    return path
