// The body's simple editor (progressive enhancement of textarea[data-editor]): a toolbar
// (heading, bold, lists, table, link) over an editable area, whose content is written back
// to the textarea as the Markdown subset the server stores — so review hashes and rendering
// are unchanged, and without JavaScript the textarea is the editor. Tables pasted from Excel,
// WPS or Word (HTML or tab-separated text) stay tables. ES5, no library: old phones.
(function(){
var ta=document.querySelector("textarea[data-editor]");
if(!ta||!window.fetch||!window.DOMParser||!document.execCommand)return;
var form=ta.form,csrf=form.querySelector("input[name=csrf]").value;
var label=document.getElementById(ta.getAttribute("data-editor"));

// ── HTML → Markdown (the subset: headings, bold, italics, lists, tables, links) ──
function esc(t){return t.replace(/([\\`*_\[\]<>|~])/g,"\\$1")}
function startEsc(t){return t.replace(/^(\s*)([#>+=-]|\d+[.)](\s|$))/,"$1\\$2")}
function inline(n){
  var out="";
  for(var c=n.firstChild;c;c=c.nextSibling){
    if(c.nodeType===3){out+=esc(c.nodeValue.replace(/\s+/g," "));continue}
    if(c.nodeType!==1)continue;
    var tag=c.nodeName.toLowerCase(),inner=inline(c);
    if(tag==="br"){out+="\n";continue}
    if(!inner.replace(/\s/g,""))continue;
    if(tag==="strong"||tag==="b"||(c.style&&/^(bold|[6-9]00)$/.test(c.style.fontWeight)))out+="**"+inner.trim()+"**";
    else if(tag==="em"||tag==="i")out+="*"+inner.trim()+"*";
    else if(tag==="a"&&/^(https?:|mailto:)/i.test(c.getAttribute("href")||""))out+="["+inner.trim()+"]("+c.getAttribute("href").replace(/[()\s]/g,encodeURIComponent)+")";
    else out+=inner;
  }
  return out;
}
function cellText(td){return inline(td).replace(/\n+/g," ").trim()}
function table(t){
  var rows=[],width=0;
  for(var i=0;i<t.rows.length;i++){
    var r=[];for(var j=0;j<t.rows[i].cells.length;j++)r.push(cellText(t.rows[i].cells[j]));
    if(r.join("")!==""){rows.push(r);width=Math.max(width,r.length)}
  }
  if(!rows.length)return "";
  var line=function(r){var c=[];for(var k=0;k<width;k++)c.push(r[k]||"");return "| "+c.join(" | ")+" |"};
  var sep=[];for(var k=0;k<width;k++)sep.push("---");
  var out=[line(rows[0]),"|"+sep.join("|")+"|"];
  for(var i2=1;i2<rows.length;i2++)out.push(line(rows[i2]));
  return out.join("\n");
}
function list(l,ordered){
  var out=[],n=1;
  for(var c=l.firstChild;c;c=c.nextSibling){
    if(c.nodeName.toLowerCase()!=="li")continue;
    var t=inline(c).replace(/\n+/g," ").trim();
    if(t)out.push((ordered?(n++)+". ":"- ")+t);
  }
  return out.join("\n");
}
function blocks(root){
  var out=[],text="";
  function flush(){var t=text.trim();if(t)out.push(t.split("\n").map(function(l){return startEsc(l.trim())}).join("  \n"));text=""}
  for(var c=root.firstChild;c;c=c.nextSibling){
    var tag=c.nodeType===1?c.nodeName.toLowerCase():"";
    if(/^h[1-6]$/.test(tag)){flush();var h=inline(c).replace(/\n+/g," ").trim();if(h)out.push(new Array(Math.min(+tag[1],3)+1).join("#")+" "+h)}
    else if(tag==="table"){flush();var tb=table(c);if(tb)out.push(tb)}
    else if(tag==="ul"||tag==="ol"){flush();var li=list(c,tag==="ol");if(li)out.push(li)}
    else if(tag==="p"||tag==="div"||tag==="blockquote"){flush();if(c.querySelector("table,ul,ol,h1,h2,h3,h4,p,div")){out=out.concat(blocks(c))}else{text=inline(c);flush()}}
    else if(tag==="br"){text+="\n"}
    else if(c.nodeType===3){text+=esc(c.nodeValue.replace(/\s+/g," "))}
    else if(c.nodeType===1){text+=inline(c)}
  }
  flush();
  return out;
}
function toMarkdown(el){return blocks(el).join("\n\n")}

// ── the editor ──
var ed=document.createElement("div");
ed.className="editor body";ed.contentEditable="true";ed.id="body-editor";
ed.setAttribute("role","textbox");ed.setAttribute("aria-multiline","true");
if(label){label.setAttribute("for","body-editor");ed.setAttribute("aria-labelledby",label.id)}
if(ta.getAttribute("aria-describedby"))ed.setAttribute("aria-describedby",ta.getAttribute("aria-describedby"));
var bar=document.createElement("div");bar.className="toolbar";bar.setAttribute("role","toolbar");bar.setAttribute("aria-label","正文编辑工具");
// Written back only once the clerk changes something: opening and saving a draft never
// rewrites a body the editor did not touch (generated accounts keep their exact Markdown).
function sync(){ta.value=toMarkdown(ed);ta.dispatchEvent(new Event("input"))}
function button(text,title,run){
  // The visible word is the button's name (speech input users say what they see).
  var b=document.createElement("button");b.type="button";b.textContent=text;b.title=title;
  b.addEventListener("mousedown",function(e){e.preventDefault()});
  b.addEventListener("click",function(){ed.focus();run();sync()});
  bar.appendChild(b);
}
function cmd(c,v){document.execCommand(c,false,v)}
function insertTable(rows){
  var t=document.createElement("table"),b=document.createElement("tbody");t.appendChild(b);
  for(var i=0;i<rows.length;i++){var tr=document.createElement("tr");for(var j=0;j<rows[i].length;j++){var c=document.createElement(i?"td":"th");c.textContent=rows[i][j];if(!rows[i][j])c.appendChild(document.createElement("br"));tr.appendChild(c)}b.appendChild(tr)}
  // A table goes between blocks, never inside a list item or bold text: what is saved is what is seen.
  var s=window.getSelection(),n=s.rangeCount?s.getRangeAt(0).startContainer:null;
  while(n&&n.parentNode!==ed)n=n.parentNode;
  ed.insertBefore(t,n?n.nextSibling:null);
  var p=document.createElement("p");p.appendChild(document.createElement("br"));ed.insertBefore(p,t.nextSibling);
  var r=document.createRange();r.setStart(p,0);r.collapse(true);s.removeAllRanges();s.addRange(r);
}
button("标题","小标题",function(){cmd("formatBlock","<h2>")});
button("正文","普通段落",function(){cmd("formatBlock","<p>")});
button("加粗","加粗",function(){cmd("bold")});
button("• 列表","列表",function(){cmd("insertUnorderedList")});
button("1. 列表","编号列表",function(){cmd("insertOrderedList")});
button("表格","插入表格（3 行 2 列）",function(){insertTable([["项目","金额"],["",""],["",""]])});
button("链接","插入链接",function(){var u=window.prompt("链接地址（以 https:// 开头）","https://");if(u&&/^(https?:|mailto:)/i.test(u))cmd("createLink",u)});

// Pasting: tables stay tables (HTML from Excel, WPS, Word; or tab-separated text); other
// formatting is dropped to plain text, so nothing foreign reaches the body.
ed.addEventListener("paste",function(e){
  var cd=e.clipboardData;if(!cd)return;
  var html=cd.getData("text/html"),text=cd.getData("text/plain");
  if(html&&/<table/i.test(html)){
    var doc=new DOMParser().parseFromString(html,"text/html"),t=doc.querySelector("table");
    if(t){e.preventDefault();var rows=[];for(var i=0;i<t.rows.length;i++){var r=[];for(var j=0;j<t.rows[i].cells.length;j++)r.push(t.rows[i].cells[j].textContent.replace(/\s+/g," ").trim());if(r.join(""))rows.push(r)}if(rows.length)insertTable(rows);sync();return}
  }
  if(text&&/\t/.test(text)&&/\n./.test(text.replace(/\r/g,"").trim()+"\n.")){
    var lines=text.replace(/\r/g,"").replace(/\n+$/,"").split("\n");
    if(lines.length>1||lines[0].indexOf("\t")>=0){e.preventDefault();insertTable(lines.map(function(l){return l.split("\t")}));sync();return}
  }
  if(text){e.preventDefault();cmd("insertText",text);sync()}
});
ed.addEventListener("input",sync);

// The body as it will be published becomes the editor's content (the server's own
// rendering, sanitised); if that fails, the textarea stays.
var d=new FormData();d.append("csrf",csrf);d.append("body",ta.value);
fetch("/console/preview",{method:"POST",body:d,credentials:"same-origin"}).then(function(r){if(!r.ok)throw r;return r.text()}).then(function(h){
  ed.innerHTML=h||"<p><br></p>";
  ta.parentNode.insertBefore(bar,ta);ta.parentNode.insertBefore(ed,ta);
  ta.hidden=true;ta.setAttribute("aria-hidden","true");
  var pv=document.getElementById(ta.getAttribute("data-preview"));if(pv)pv.setAttribute("data-editor-on","1");
})["catch"](function(){});

// The period picker: the item's kind of period comes first and the others are hidden.
var item=document.getElementById("item"),part=document.getElementById("period_part");
if(item&&part){
  var kinds=function(){var o=item.options[item.selectedIndex],k=o?o.getAttribute("data-kind"):"";var g=part.getElementsByTagName("optgroup");for(var i=0;i<g.length;i++){var show=!k||k==="day"||g[i].getAttribute("data-kind")===k||g[i].contains(part.options[part.selectedIndex]);g[i].hidden=!show;g[i].disabled=!show}};
  item.addEventListener("change",kinds);kinds();
}
})();
