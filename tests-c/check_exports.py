"""The library exports exactly the functions the header declares, and has a SONAME."""
import re
import subprocess
import sys

header, library = sys.argv[1], sys.argv[2]
text = open(header, encoding="utf-8").read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
declared = set(re.findall(r"\b(ags_\w+)\s*\(", text))
nm = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True, check=True).stdout
exported = {line.split()[-1] for line in nm.splitlines() if line.strip()}
problems = []
if exported - declared:
    problems.append(f"exported but not declared: {sorted(exported - declared)}")
if declared - exported:
    problems.append(f"declared but not exported: {sorted(declared - exported)}")
dynamic = subprocess.run(["readelf", "-d", library], capture_output=True, text=True, check=True).stdout
if "SONAME" not in dynamic:
    problems.append("the library has no SONAME")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(exported)} exported symbols, all declared in the header; SONAME present")
