"""A real IMAP server for the tests: Debian's Dovecot, configured in a temporary directory on a free port.

TLS only (IMAPS), with a self-signed certificate made here; `ssl_context` trusts exactly it.
Users and passwords live in a passwd-file; mail in Maildirs under the directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.processes import free_port, wait_until

DOVECOT = "/usr/sbin/dovecot"


def available() -> bool:
    return Path(DOVECOT).exists()


class DovecotServer:
    def __init__(self, users: dict[str, str]):
        # Not under pytest's tmp_path: Dovecot's unprivileged login processes must reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="tickit-imap-"))
        self.directory.chmod(0o755)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.log_path = self.directory / "dovecot.log"
        self._users = users
        self._process: subprocess.Popen | None = None
        self._cert = self.directory / "cert.pem"

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate (PEM), for a client that must trust it."""
        return self._cert

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and checks it, host name included)."""
        return ssl.create_default_context(cafile=str(self._cert))

    def start(self) -> None:
        self._write_certificate()
        as_root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid()).pw_name
        mail_user = pwd.getpwnam("dovecot") if as_root else pwd.getpwuid(os.geteuid())
        home = self.directory / "home"
        home.mkdir()
        os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
        (self.directory / "passwd").write_text(
            "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in self._users.items())
        )
        config = self.directory / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.directory}/run
state_dir = {self.directory}/state
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap
listen = {self.host}
ssl = required
ssl_cert = <{self._cert}
ssl_key = <{self.directory}/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
first_valid_uid = {mail_user.pw_uid}
default_login_user = {"dovenull" if as_root else me}
default_internal_user = {"dovecot" if as_root else me}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = {self.directory}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
"""
        )
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_until(self._listening, what=f"Dovecot on port {self.port}", log_of=self)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def _listening(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            return False
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def _write_certificate(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.host)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(self.host))]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self._cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path = self.directory / "key.pem"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_path.chmod(0o600)
