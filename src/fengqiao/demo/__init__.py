"""The demo: a fictional county (云州市青溪县) with units, staff, categories and cases, for trying
Fengqiao out with `fengqiao demo`. Every name, place and text in it is invented."""
